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
