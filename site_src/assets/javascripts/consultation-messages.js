/* The consultation form's messages (issue 11 part 3), in the GOV.UK error pattern: each field's
 * error and warning under its label, tied to the control with aria-describedby, and the error
 * summary at the top (focused, each line a link to its field; the page title says 错误).
 *
 * window.ecpConsultationMessages({ form, summary, byName, pageTitle })
 *   → { show, focusField, fillSummary }
 * show(f, result, message) sets field f's error (result.error, a kind of the definition's
 * messages, or `message` as the service said it) and warning (result.warning).
 */
(function () {
  "use strict";

  window.ecpConsultationMessages = function (page) {
    var form = page.form, summary = page.summary, byName = page.byName;
    var pageTitle = page.pageTitle;
    var byId = function (id) { return document.getElementById(id); };

    function inputs(f) {
      return Array.prototype.slice.call(form.querySelectorAll('[name="' + f.name + '"]'));
    }

    function described(f) {
      var first = byId("f-" + f.name);
      if (f.type === "choice" || f.type === "multichoice") {
        return first ? first.closest("fieldset") : null;
      }
      return first;
    }

    function setMessage(f, kind, message) {
      var p = byId("f-" + f.name + "-" + kind);
      if (!p) { return; }
      p.textContent = "";
      if (message) {
        var prefix = document.createElement("span");
        prefix.className = "cf-visually-hidden";
        prefix.textContent = kind === "error" ? "错误：" : "提示：";
        p.appendChild(prefix);
        p.appendChild(document.createTextNode(message));
      }
      p.hidden = !message;
    }

    function refreshDescribedBy(f) {
      var target = described(f);
      if (!target) { return; }
      var ids = ["hint", "error", "warning"].map(function (k) {
        return "f-" + f.name + "-" + k;
      }).filter(function (id) {
        var el = byId(id);
        return el && (id.slice(-5) === "-hint" || !el.hidden);
      });
      if (ids.length) {
        target.setAttribute("aria-describedby", ids.join(" "));
      } else {
        target.removeAttribute("aria-describedby");
      }
    }

    function show(f, result, message) {
      var group = byId("cf-group-" + f.name);
      var error = message || (result.error ? f.errors[result.error] : "");
      setMessage(f, "error", error);
      setMessage(f, "warning", result.warning ? f.errors[result.warning] : "");
      if (group) { group.classList.toggle("cf-group--error", !!error); }
      inputs(f).forEach(function (i) {
        if (i.classList.contains("cf-input") || i.classList.contains("cf-select") ||
            i.classList.contains("cf-textarea")) {
          i.classList.toggle(i.classList.contains("cf-select") ? "cf-select--error"
            : "cf-input--error", !!error);
        }
      });
      refreshDescribedBy(f);
    }

    function focusField(name) {
      var control = byId("f-" + name);
      if (!control) { return; }
      var group = byId("cf-group-" + name);
      (group || control).scrollIntoView({ block: "start" });
      control.focus({ preventScroll: true });
    }

    function fillSummary(problems) {
      var list = summary.querySelector(".cf-error-summary__list");
      list.textContent = "";
      problems.forEach(function (p) {
        var li = document.createElement("li");
        if (p.field && byName[p.field]) {
          var a = document.createElement("a");
          a.href = "#f-" + p.field;
          a.textContent = p.message;
          a.addEventListener("click", function (event) {
            event.preventDefault();
            focusField(p.field);
          });
          li.appendChild(a);
        } else {
          li.textContent = p.message;
        }
        list.appendChild(li);
      });
      summary.hidden = problems.length === 0;
      document.title = problems.length ? "错误：" + pageTitle : pageTitle;
      if (problems.length) {
        summary.focus();
      }
    }

    return { show: show, focusField: focusField, fillSummary: fillSummary };
  };
})();
