// Progressive enhancement only: every page works without JavaScript. A file, not inline
// script, because the Content-Security-Policy allows scripts from peel's own origin only.
import { initAll } from "./govuk-frontend-6.3.0/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
