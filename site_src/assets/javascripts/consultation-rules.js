/* The consultation form's rules in the browser (issue 11 part 3): the same cleaning and checks
 * as the server (generator/forms/normalize.py, generator/forms/validate.py), read from the one
 * definition embedded in the page. No page access here: consultation.js asks, this answers.
 *
 * window.ecpConsultationRules(checks) → { clean, check, matches, today, addDays }, where
 * `checks` is the definition's "checks" object (patterns, limits, the credit-code alphabet).
 * It throws where the browser lacks Unicode regexes; the page then keeps the plain post.
 */
(function () {
  "use strict";
  var LINE_BREAKS = "\n\u2028\u2029\u0085\u000b\u000c";

  window.ecpConsultationRules = function (checks) {
    var rx = compile(checks);
    return { clean: clean, check: check, matches: matches, today: today, addDays: addDays };

    function compile(c) {
      var keep = c.keep_from_nfkc.replace(/[\\\]\[^-]/g, "\\$&");
      return {
        keep: new RegExp("([" + keep + "])", "u"), drop: new RegExp(c.drop_characters, "u"),
        mobile: new RegExp(c.mobile, "u"), landline: new RegExp(c.landline, "u"),
        separators: new RegExp(c.phone_separators, "gu"), email: new RegExp(c.email, "u"),
        date: new RegExp(c.date, "u"), uscc: new RegExp(c.uscc_format, "u")
      };
    }

    /* The server's cleaning (generator/forms/normalize.py): NFKC except Chinese punctuation,
     * invisible characters dropped, line breaks only in multi-line text, spaces collapsed. */
    function clean(value, multiline) {
      var text = value.replace(/\r\n?/g, "\n").split(rx.keep).map(function (part) {
        return checks.keep_from_nfkc.indexOf(part) >= 0 && part.length === 1
          ? part : part.normalize("NFKC");
      }).join("");
      var out = "";
      Array.from(text).forEach(function (ch) {
        if (LINE_BREAKS.indexOf(ch) >= 0) {
          out += multiline ? "\n" : " ";
        } else if (ch === "\t") {
          out += " ";
        } else if (!rx.drop.test(ch)) {
          out += ch;
        }
      });
      if (multiline) {
        return out.split("\n").map(function (l) { return l.replace(/\s+$/u, ""); })
          .join("\n").trim();
      }
      return out.replace(/[ \t\u00a0\u3000]+/g, " ").trim();
    }

    function matches(cond, values) {
      return !cond || cond.in.indexOf(values[cond.field]) >= 0;
    }

    function today(timeZone) {
      var parts = {};
      new Intl.DateTimeFormat("en-CA", { timeZone: timeZone || undefined,
        year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date())
        .forEach(function (p) { parts[p.type] = p.value; });
      return parts.year + "-" + parts.month + "-" + parts.day;
    }

    function addDays(iso, days) {
      var d = new Date(iso + "T00:00:00Z");
      d.setUTCDate(d.getUTCDate() + days);
      return d.toISOString().slice(0, 10);
    }

    function usccCheckDigit(code) {
      var a = checks.uscc_alphabet;
      var total = 0;
      checks.uscc_weights.forEach(function (w, i) { total += a.indexOf(code[i]) * w; });
      return a[((31 - total) % 31 + 31) % 31];
    }

    /* One field against the definition: the kind of its error (or null) and of its warning. */
    function check(f, text, values, day) {
      var none = { error: null, warning: null, value: null };
      if (text === "" || (Array.isArray(text) && text.length === 0)) {
        var required = f.required || (f.required_when && matches(f.required_when, values));
        return required ? { error: "required" } : none;
      }
      var ok = function (value) { return { error: null, warning: null, value: value }; };
      var fail = function (kind) { return { error: kind }; };
      switch (f.type) {
        case "multichoice":
          return text.every(function (v) {
            return f.options.some(function (o) { return o.value === v; });
          }) ? ok(text) : fail("not_option");
        case "uscc": {
          var code = text.replace(/[ -]/g, "").toUpperCase();
          if (!rx.uscc.test(code)) { return fail("invalid"); }
          return { error: null, value: code,
                   warning: code[17] === usccCheckDigit(code) ? null : "checksum" };
        }
        case "phone": {
          var compact = text.replace(rx.separators, "");
          checks.phone_prefixes.forEach(function (p) {
            if (compact.indexOf(p) === 0) { compact = compact.slice(p.length); }
          });
          return /^[0-9]+$/.test(compact) && (rx.mobile.test(compact) || rx.landline.test(compact))
            ? ok(compact) : fail("invalid");
        }
        case "email":
          if (f.max_length !== null && text.length > f.max_length) { return fail("too_long"); }
          return rx.email.test(text) ? ok(text) : fail("invalid");
        case "district":
        case "street":
        case "choice": {
          if (f.type === "street" && f.depends_on && !values[f.depends_on]) { return none; }
          var group = f.type === "street" && f.depends_on ? values[f.depends_on] : null;
          return f.options.some(function (o) {
            return o.value === text && (group === null || o.group === group);
          }) ? ok(text) : fail("not_option");
        }
        case "integer": {
          if (!/^[0-9]+$/.test(text)) { return fail("invalid"); }
          var n = parseInt(text, 10);
          return (f.min !== null && n < f.min) || (f.max !== null && n > f.max)
            ? fail("out_of_range") : ok(n);
        }
        case "date": {
          var real = rx.date.test(text) && !isNaN(Date.parse(text + "T00:00:00Z")) &&
            new Date(text + "T00:00:00Z").toISOString().slice(0, 10) === text;
          if (!real) { return fail("invalid"); }
          if ((f.min_days !== null && text < addDays(day, f.min_days)) ||
              (f.max_days !== null && text > addDays(day, f.max_days))) {
            return fail("out_of_range");
          }
          var earlier = f.not_before ? values[f.not_before] : null;
          return typeof earlier === "string" && text < earlier ? fail("before") : ok(text);
        }
        case "consent":
          return checks.consent_values.indexOf(text.toLowerCase()) >= 0
            ? ok(true) : fail("required");
        default:
          return f.max_length !== null && text.length > f.max_length ? fail("too_long") : ok(text);
      }
    }
  };
})();
