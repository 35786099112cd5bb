/* Large-text toggle for elderly readers (MIIT elderly-friendly design, 2021).
 *
 * Progressive enhancement: the button is created by this script, so without JavaScript there
 * is no dead control and browser zoom still works. The choice is kept in localStorage (and
 * silently not kept where storage is unavailable, e.g. some file:// or private windows).
 * The button is a real <button> with aria-pressed: Tab reaches it, Enter/Space toggle it.
 */
(function () {
  "use strict";
  var KEY = "ecoportal.largeText";
  var CLASS = "ecp-large-text";
  var root = document.documentElement;

  function load() {
    try {
      return window.localStorage.getItem(KEY) === "1";
    } catch (e) {
      return false;
    }
  }

  function save(on) {
    try {
      if (on) {
        window.localStorage.setItem(KEY, "1");
      } else {
        window.localStorage.removeItem(KEY);
      }
    } catch (e) {
      /* storage unavailable: the toggle still works for this page */
    }
  }

  function apply(on) {
    if (on) {
      root.classList.add(CLASS);
    } else {
      root.classList.remove(CLASS);
    }
    var buttons = document.querySelectorAll(".ecp-text-size");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", on ? "true" : "false");
      buttons[i].title = on ? "恢复标准字号" : "放大页面文字";
    }
  }

  function ensureButton() {
    if (document.querySelector(".ecp-text-size")) {
      return;
    }
    var host = document.querySelector(".md-header__inner");
    if (!host) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "ecp-text-size";
    button.textContent = "大字";
    button.setAttribute("aria-label", "大字模式");
    button.addEventListener("click", function () {
      var on = !root.classList.contains(CLASS);
      save(on);
      apply(on);
    });
    var search = host.querySelector(".md-search");
    host.insertBefore(button, search || null);
  }

  function init() {
    ensureButton();
    apply(load());
  }

  apply(load());
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  /* Material's instant navigation (if enabled) swaps the page: re-attach after each swap. */
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  }
})();
