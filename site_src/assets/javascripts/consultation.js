/* The consultation form's page script (issue 11 part 3): no framework, no network other than
 * the bureau's intake service on this origin.
 *
 * Progressive enhancement: without this script (or where it cannot start) the form posts
 * plainly and the service answers with its own error or confirmation page. With it, the page
 * checks the service on load, shows and hides conditional fields, narrows 街道（乡镇） to the
 * chosen 区, validates with the rules, limits and Chinese messages of the one definition
 * embedded in the page (<script type="application/json" id="cf-definition">), shows a
 * check-your-answers step, posts JSON and shows the confirmation with a printable receipt.
 * Whatever happens at submit, what was typed stays on the page: a request is never silently
 * lost. The rules live in consultation-rules.js and the error messages in
 * consultation-messages.js (both loaded before this file); this file holds the steps, the
 * service and the wiring.
 */
(function () {
  "use strict";
  var app = document.getElementById("cf-app");
  var source = document.getElementById("cf-definition");
  var form = document.getElementById("cf-form");
  if (!app || !source || !form) {
    return;
  }
  var def, rules;
  try {
    def = JSON.parse(source.textContent);
    rules = window.ecpConsultationRules(def.checks); // consultation-rules.js
  } catch (e) {
    return; // an old browser (no Unicode regexes): the plain form post still works
  }
  var clean = rules.clean, check = rules.check, matches = rules.matches;
  var byId = function (id) { return document.getElementById(id); };
  var steps = { questions: byId("cf-questions"), check: byId("cf-check"),
                confirmation: byId("cf-confirmation") };
  var summary = byId("cf-error-summary");
  var pageTitle = document.title;
  var fields = def.fields.filter(function (f) { return f.type !== "honeypot"; });
  var honeypot = def.fields.filter(function (f) { return f.type === "honeypot"; })[0];
  var byName = {};
  fields.forEach(function (f) { byName[f.name] = f; });
  var messages = window.ecpConsultationMessages({ form: form, summary: summary, byName: byName,
                                                  pageTitle: pageTitle }); // consultation-messages.js
  var show = messages.show, focusField = messages.focusField, fillSummary = messages.fillSummary;
  var attempted = false;
  var sending = false;

  function inputs(f) {
    return Array.prototype.slice.call(form.querySelectorAll('[name="' + f.name + '"]'));
  }

  function rawValue(f) {
    var list = inputs(f);
    if (f.type === "choice") {
      var on = list.filter(function (i) { return i.checked; })[0];
      return on ? on.value : "";
    }
    if (f.type === "multichoice") {
      return list.filter(function (i) { return i.checked; }).map(function (i) {
        return i.value;
      });
    }
    if (f.type === "consent") {
      return list[0] && list[0].checked ? "yes" : "";
    }
    return list[0] ? list[0].value : "";
  }

  function cleaned(f) {
    var raw = rawValue(f);
    if (Array.isArray(raw)) {
      return raw.map(function (v) { return clean(v, false); }).filter(Boolean);
    }
    return clean(raw, f.type === "textarea");
  }

  /* Every field in the definition's order (conditions and not_before read earlier fields);
   * hidden fields are not asked for, as on the server. */
  function validateAll() {
    var texts = {}, values = {}, results = {}, day = rules.today(app.dataset.timeZone);
    fields.forEach(function (f) { texts[f.name] = cleaned(f); });
    fields.forEach(function (f) {
      if (f.type === "choice" && !f.shown_when && !f.required_when) { values[f.name] = texts[f.name]; }
    });
    fields.forEach(function (f) {
      if (!matches(f.shown_when, values)) {
        results[f.name] = { hidden: true, error: null, warning: null };
        values[f.name] = null;
        return;
      }
      var r = check(f, texts[f.name], values, day);
      results[f.name] = r;
      values[f.name] = r.error ? null : (r.value === undefined ? null : r.value);
    });
    return { results: results, values: values, texts: texts };
  }

  function applyConditions() {
    var values = validateAll().values;
    form.querySelectorAll("[data-shown-when]").forEach(function (group) {
      var cond = JSON.parse(group.getAttribute("data-shown-when"));
      group.hidden = !matches(cond, values);
    });
  }

  // --- 区 → 街道（乡镇） --------------------------------------------------------------------

  function cascade() {
    form.querySelectorAll("select[data-depends-on]").forEach(function (select) {
      var f = byName[select.name];
      var parent = byId("f-" + select.getAttribute("data-depends-on"));
      if (!f || !parent) { return; }
      var chosen = parent.value;
      var current = select.value;
      var prompt = select.getAttribute("data-prompt") || select.options[0].text;
      select.setAttribute("data-prompt", prompt);
      select.textContent = "";
      select.appendChild(new Option(chosen ? prompt : "请先选择所在区", ""));
      f.options.forEach(function (o) {
        if (o.group === chosen) { select.appendChild(new Option(o.value, o.value)); }
      });
      select.value = current;
      if (select.value !== current) { select.value = ""; }
    });
  }

  // --- steps -------------------------------------------------------------------------------

  function goTo(name, focus) {
    Object.keys(steps).forEach(function (k) { steps[k].hidden = k !== name; });
    if (focus) {
      focus.focus();
    }
  }

  function display(f, value) {
    if (f.type === "consent") { return "已同意"; }
    if (Array.isArray(value)) { return value.length ? value.join("、") : "未选择"; }
    return value === "" || value === null ? "未填写" : String(value);
  }

  function showCheck(state) {
    var list = byId("cf-summary-list");
    list.textContent = "";
    fields.forEach(function (f) {
      if (state.results[f.name].hidden) { return; }
      var row = document.createElement("div");
      row.className = "cf-summary-list__row";
      var key = document.createElement("dt");
      key.className = "cf-summary-list__key";
      key.textContent = f.type === "consent" ? "隐私说明" : f.label;
      var value = document.createElement("dd");
      value.className = "cf-summary-list__value";
      value.textContent = display(f, state.texts[f.name]);
      var action = document.createElement("dd");
      action.className = "cf-summary-list__actions";
      var link = document.createElement("a");
      link.href = "#f-" + f.name;
      link.className = "cf-link";
      link.textContent = "修改";
      var which = document.createElement("span");
      which.className = "cf-visually-hidden";
      which.textContent = key.textContent;
      link.appendChild(which);
      link.addEventListener("click", function (event) {
        event.preventDefault();
        goTo("questions");
        focusField(f.name);
      });
      action.appendChild(link);
      row.appendChild(key);
      row.appendChild(value);
      row.appendChild(action);
      list.appendChild(row);
    });
    byId("cf-send-alert").hidden = true;
    document.title = "核对申请：" + pageTitle;
    goTo("check", byId("cf-check-title"));
    byId("cf-check-title").scrollIntoView({ block: "start" });
  }

  function onSubmit(event) {
    event.preventDefault();
    attempted = true;
    var state = validateAll();
    var problems = [];
    fields.forEach(function (f) {
      var r = state.results[f.name];
      show(f, r);
      if (r.error) {
        problems.push({ field: f.name, message: f.errors[r.error] });
      }
    });
    fillSummary(problems);
    if (!problems.length) {
      showCheck(state);
    }
  }

  function payload() {
    var state = validateAll();
    var body = {};
    fields.forEach(function (f) {
      if (state.results[f.name].hidden) { return; }
      body[f.name] = f.type === "consent" ? state.texts[f.name] === "yes" : state.texts[f.name];
    });
    if (honeypot) {
      body[honeypot.name] = rawValue(honeypot);
    }
    body.form_version = def.version;
    body.fill_ms = Math.round(window.performance.now());
    return body;
  }

  function sendFailed(message) {
    byId("cf-send-alert-message").textContent = message;
    var alert = byId("cf-send-alert");
    alert.hidden = false;
    alert.focus();
  }

  function chinaDate(iso) {
    return iso.slice(0, 4) + "年" + iso.slice(5, 7) + "月" + iso.slice(8, 10) + "日";
  }

  function confirmed(reply) {
    byId("cf-reference").textContent = reply.reference;
    byId("cf-received").textContent = "我们已于 " + chinaDate(reply.received_at) + " " +
      reply.received_at.slice(11, 16) + " 收到您的" + def.title + "。";
    byId("cf-next").textContent = reply.reply_who + "将在 " + reply.reply_working_days +
      " 个工作日内（" + chinaDate(reply.reply_by) + "前）通过您留下的联系电话与您联系，" +
      "了解情况，必要时约定上门指导的时间。";
    var notes = byId("cf-warnings");
    notes.textContent = "";
    (reply.warnings || []).forEach(function (w) {
      var p = document.createElement("p");
      p.className = "cf-warning-message";
      p.textContent = w.message + "。";
      notes.appendChild(p);
    });
    byId("cf-service-alert").hidden = true;
    document.title = "申请已提交：" + pageTitle;
    goTo("confirmation", byId("cf-confirmation-title"));
  }

  function serverProblems(reply) {
    var problems = (reply.errors || []).filter(function (e) { return e.field && byName[e.field]; });
    if (!problems.length) {
      return false;
    }
    fields.forEach(function (f) { show(f, { error: null, warning: null }); });
    problems.forEach(function (p) { show(byName[p.field], { error: "server" }, p.message); });
    goTo("questions");
    fillSummary(problems);
    return true;
  }

  function onConfirm() {
    if (sending) { return; }
    sending = true;
    var button = byId("cf-confirm");
    button.setAttribute("aria-disabled", "true");
    button.textContent = "正在提交……";
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, 30000) : 0;
    var done = function () {
      window.clearTimeout(timer);
      sending = false;
      button.removeAttribute("aria-disabled");
      button.textContent = "确认并提交";
    };
    window.fetch(form.action, {
      method: "POST", headers: { "Content-Type": "application/json" }, credentials: "omit",
      body: JSON.stringify(payload()), signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (reply) {
        done();
        if (response.status === 201 && reply && reply.reference) {
          confirmed(reply);
        } else if (reply && response.status === 422 && serverProblems(reply)) {
          return;
        } else if (reply && reply.message && response.status < 500) {
          sendFailed(reply.message);
        } else {
          sendFailed("受理服务器暂时出了问题（状态 " + response.status + "），申请没有提交成功。");
        }
      });
    }, function () {
      done();
      sendFailed("网络连接中断或受理服务器没有答复，申请没有送达。");
    });
  }

  function checkService() {
    var alert = byId("cf-service-alert");
    var down = function () { alert.hidden = false; };
    if (window.location.protocol === "file:" || !window.fetch) {
      down();
      return;
    }
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, 8000) : 0;
    window.fetch(app.dataset.healthUrl, { cache: "no-store", credentials: "omit",
      signal: controller ? controller.signal : undefined })
      .then(function (response) {
        window.clearTimeout(timer);
        alert.hidden = response.ok;
      }, function () {
        window.clearTimeout(timer);
        down();
      });
  }

  // --- wiring ------------------------------------------------------------------------------

  form.addEventListener("submit", onSubmit);
  form.addEventListener("change", function (event) {
    var name = event.target.name;
    if (form.querySelector('select[data-depends-on="' + name + '"]')) { cascade(); }
    applyConditions();
    var f = byName[name];
    if (!f) { return; }
    var r = validateAll().results[name];
    // Inline: a wrong value is said when leaving the field; "required" only after a try.
    if (r.error === "required" && !attempted) { r = { error: null, warning: r.warning }; }
    show(f, r);
  });
  form.addEventListener("input", function (event) {
    var f = byName[event.target.name];
    var group = f && byId("cf-group-" + f.name);
    if (group && group.classList.contains("cf-group--error")) {
      var r = validateAll().results[f.name];
      if (!r.error) { show(f, r); }
    }
  });
  summary.querySelectorAll("a[href^='#f-']").forEach(function (a) {
    a.addEventListener("click", function (event) {
      event.preventDefault();
      focusField(a.getAttribute("href").slice(3));
    });
  });
  // With the script the button leads to check-your-answers, not straight to the bureau.
  byId("cf-submit").textContent = "继续";
  byId("cf-confirm").addEventListener("click", onConfirm);
  byId("cf-print").addEventListener("click", function () { window.print(); });
  window.addEventListener("online", checkService);
  cascade();
  applyConditions();
  checkService();
})();
