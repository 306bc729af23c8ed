// Enhancements only: every page works without this file (GOV.UK Frontend's components).
import { initAll } from "./vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

/* == part: admin == */
// The invitation link's "Copy link" button (hidden without JavaScript: the field is selectable).
for (const button of document.querySelectorAll("button.casework-copy[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById(`${button.dataset.copy}-copied`);
  if (!field) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.select();
    let copied = false;
    try {
      await navigator.clipboard.writeText(field.value);
      copied = true;
    } catch {
      copied = document.execCommand && document.execCommand("copy");
    }
    if (status) status.textContent = copied ? "Link copied." : "Select the link and copy it.";
  });
}
/* == end part: admin == */
