/* Keyboard and zoom (issue 12 part 2): small fixes on top of mkdocs-material 9.
 *
 * 1. The menu button. Below 76.25em (tablets, phones, a desktop at 200 % zoom) Material opens
 *    the navigation drawer with a <label for="__drawer">, which cannot take focus. It is
 *    replaced by a real <button> (aria-expanded, aria-controls) that toggles the same checkbox.
 *    Opening the drawer moves focus into it; Escape closes it and returns focus to the button;
 *    leaving the drawer with Tab closes it. keyboard.css keeps the closed drawer (and each
 *    closed or covered panel inside it) out of the tab order.
 * 2. The drawer's panels. Inside the drawer, Material's section labels (数据统计 › …), the back
 *    arrows and the page's 目录 label are <label>s too; in drawer mode they get tabindex="0",
 *    Enter and Space open or close their panel, and focus follows into the panel that opens.
 *    Above the breakpoint their original tabindex comes back (there they are headings).
 * 3. Search on every input. Material reads the query on `keyup` only, so pasted text, an IME's
 *    committed characters, handwriting and voice input found nothing. Each `input` event
 *    (and `compositionend`) of the search box now replays a keyup Material listens to.
 *
 * Progressive enhancement: without JavaScript nothing here runs and keyboard.css applies none
 * of its hiding rules (they need Material's `js` class), so no control becomes unreachable.
 * Nothing is requested from the network: the site works from file:// and offline.
 */
(function () {
  "use strict";
  var DRAWER_MEDIA = "(max-width: 76.234375em)"; /* Material's drawer breakpoint */
  var SIDEBAR_ID = "ecp-drawer";
  var MENU_LABEL = "导航菜单";
  var SLIDE_MS = 300; /* Material slides a panel out in 0.25 s (keyboard.css waits as long) */
  var drawerMode = window.matchMedia ? window.matchMedia(DRAWER_MEDIA) : null;

  function drawer() {
    return document.getElementById("__drawer");
  }

  function sidebar() {
    return document.querySelector(".md-sidebar--primary");
  }

  function menuButton() {
    return document.querySelector(".ecp-menu-button");
  }

  function shown(el) {
    return !!el && el.getClientRects().length > 0 &&
      window.getComputedStyle(el).visibility === "visible";
  }

  function focusables(root) {
    var all = root.querySelectorAll("a[href], button, input:not([type=checkbox]), [tabindex]");
    return Array.prototype.filter.call(all, function (el) {
      return el.tabIndex >= 0 && !el.disabled && shown(el);
    });
  }

  /* Set a toggle checkbox the way a click on its label would, so Material sees the change. */
  function setToggle(input, on) {
    if (input && input.checked !== on) {
      input.checked = on;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function syncExpanded() {
    var button = menuButton();
    var toggle = drawer();
    if (button && toggle) {
      button.setAttribute("aria-expanded", toggle.checked ? "true" : "false");
    }
  }

  function openDrawer() {
    setToggle(drawer(), true);
    syncExpanded();
    var side = sidebar();
    var first = side && focusables(side)[0];
    if (first) {
      first.focus({ preventScroll: true });
    }
  }

  function closeDrawer(returnFocus) {
    setToggle(drawer(), false);
    syncExpanded();
    var button = menuButton();
    if (returnFocus && shown(button)) {
      button.focus({ preventScroll: true });
    }
  }

  /* 1. The menu button: a <button> in place of Material's <label for="__drawer">. */
  function setupMenuButton() {
    var label = document.querySelector('label.md-header__button[for="__drawer"]');
    var side = sidebar();
    if (!label || !drawer() || menuButton()) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = label.className + " ecp-menu-button";
    button.innerHTML = label.innerHTML; /* Material's menu icon (inline SVG) */
    button.setAttribute("aria-label", MENU_LABEL);
    if (side) {
      side.id = side.id || SIDEBAR_ID;
      button.setAttribute("aria-controls", side.id);
    }
    button.addEventListener("click", function () {
      if (drawer().checked) {
        closeDrawer(true);
      } else {
        openDrawer();
      }
    });
    label.parentNode.replaceChild(button, label);
    drawer().addEventListener("change", syncExpanded);
    syncExpanded();
  }

  /* 2. Labels of the drawer's panels: focusable in drawer mode only. */
  function panelLabels() {
    var side = sidebar();
    return side ? side.querySelectorAll('label[for]:not([for="__drawer"])') : [];
  }

  function applyDrawerMode() {
    var on = !drawerMode || drawerMode.matches;
    Array.prototype.forEach.call(panelLabels(), function (label) {
      if (!label.hasAttribute("data-ecp-tabindex")) {
        label.setAttribute("data-ecp-tabindex", label.getAttribute("tabindex") || "none");
      }
      var original = label.getAttribute("data-ecp-tabindex");
      if (on) {
        label.setAttribute("tabindex", "0");
      } else if (original === "none") {
        label.removeAttribute("tabindex");
      } else {
        label.setAttribute("tabindex", original);
      }
    });
  }

  /* After a panel label was activated from the keyboard: focus the panel that is now on top. */
  function followPanel(label) {
    if (drawerMode && !drawerMode.matches) {
      return;
    }
    var id = label.getAttribute("for");
    var toggle = document.getElementById(id);
    if (!toggle) {
      return;
    }
    var target = null;
    if (toggle.checked) { /* opened: the new panel's title (its back arrow) */
      var panel = toggle.parentNode.querySelector(":scope > .md-nav");
      target = panel && panel.querySelector(':scope > label.md-nav__title[for="' + id + '"]');
    } else { /* closed: the label in the parent panel that opens it again */
      var labels = toggle.parentNode.querySelectorAll('label.md-nav__link[for="' + id + '"]');
      target = Array.prototype.filter.call(labels, shown)[0] || null;
      /* keyboard.css hides the closed panel only after it has slid out; a Tab pressed
       * meanwhile must not land in it. */
      var closing = toggle.parentNode.querySelector(":scope > .md-nav");
      if (closing && "inert" in closing) {
        closing.inert = true;
        window.setTimeout(function () { closing.inert = false; }, SLIDE_MS);
      }
    }
    if (shown(target)) {
      /* The panel is still sliding in: without preventScroll Chromium would scroll the
       * drawer's overflow-hidden box sideways to reveal it, and the drawer would look empty. */
      target.focus({ preventScroll: true });
    }
  }

  /* The drawer's outer box clips its sliding panels (overflow: hidden) and is never meant to
   * scroll sideways; a Tab pressed while a panel slides in would scroll it, so undo that. */
  function pinDrawerBox() {
    var box = document.querySelector(".md-sidebar--primary .md-sidebar__scrollwrap");
    if (box && !box.hasAttribute("data-ecp-pinned")) {
      box.setAttribute("data-ecp-pinned", "");
      box.addEventListener("scroll", function () {
        if (box.scrollLeft !== 0) {
          box.scrollLeft = 0;
        }
      });
    }
  }

  function onKeydown(event) {
    var target = event.target;
    if ((event.key === "Enter" || event.key === " ") && target instanceof HTMLLabelElement &&
        target.htmlFor && target.tabIndex >= 0 && target.closest(".md-sidebar--primary")) {
      /* Material clicks a focused label on Enter; handling Enter here as well (and stopping
       * it) keeps one toggle per key press, and Space works like on a button. */
      event.preventDefault();
      event.stopPropagation();
      target.click();
      followPanel(target);
      return;
    }
    if (event.key === "Escape" && drawer() && drawer().checked) {
      var search = document.getElementById("__search");
      if (!search || !search.checked) {
        closeDrawer(true);
      }
    }
  }

  function onFocusOut(event) {
    var side = sidebar();
    var next = event.relatedTarget;
    if (side && next && drawer() && drawer().checked && !side.contains(next) &&
        next !== menuButton()) {
      closeDrawer(false); /* Tab left the drawer: close it behind the user */
    }
  }

  /* 3. Search on every input event, not only on keyup. */
  function replayKeyup(input) {
    input.dispatchEvent(new KeyboardEvent("keyup", { key: "Unidentified" }));
  }

  function onInput(event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.classList.contains("md-search__input") &&
        !event.isComposing) {
      replayKeyup(input);
    }
  }

  function onCompositionEnd(event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.classList.contains("md-search__input")) {
      replayKeyup(input);
    }
  }

  function init() {
    setupMenuButton();
    applyDrawerMode();
    pinDrawerBox();
  }

  document.addEventListener("keydown", onKeydown);
  document.addEventListener("focusout", onFocusOut);
  document.addEventListener("input", onInput);
  document.addEventListener("compositionend", onCompositionEnd);
  if (drawerMode) {
    if (drawerMode.addEventListener) {
      drawerMode.addEventListener("change", applyDrawerMode);
    } else if (drawerMode.addListener) {
      drawerMode.addListener(applyDrawerMode);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  /* Material's instant navigation (if enabled) swaps the page: set up again after each swap. */
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  }
})();
