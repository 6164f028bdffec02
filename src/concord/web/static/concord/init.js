// Starts GOV.UK Frontend's components (vendored; nothing loads from the internet).
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();
