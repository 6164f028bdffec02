// Starts GOV.UK Frontend's components (vendored; nothing loads from the internet).
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();

// "Go back" on the error pages returns to the previous page where the browser has one.
for (const link of document.querySelectorAll("[data-concord-back]")) {
  link.addEventListener("click", (event) => {
    if (window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
}

// Wide tables scroll inside a region of their own, named by the table's caption and reachable
// from the keyboard, so the page itself never scrolls sideways (WCAG 1.4.10 reflow, issue 18).
let captions = 0;
function regionTables(root) {
  for (const table of root.querySelectorAll("table.govuk-table")) {
    if (table.parentElement.classList.contains("concord-table-scroll")) continue;
    const region = document.createElement("div");
    region.className = "concord-table-scroll";
    region.setAttribute("role", "region");
    region.tabIndex = 0;
    const caption = table.querySelector(":scope > caption");
    if (caption) {
      caption.id ||= `concord-caption-${++captions}`;
      region.setAttribute("aria-labelledby", caption.id);
    }
    table.before(region);
    region.append(table);
  }
}
regionTables(document);
document.addEventListener("htmx:afterSettle", (event) => regionTables(event.target));

// On a narrow screen the menu folds behind a "Menu" button (the button is hidden without
// JavaScript, and the menu then stays open).
for (const toggle of document.querySelectorAll(".concord-nav__toggle")) {
  const nav = toggle.closest(".concord-nav");
  nav.classList.add("concord-nav--collapsible");
  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("concord-nav--open", open);
  });
}
