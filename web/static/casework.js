// Enhancements only: every page works without this file (GOV.UK Frontend's components).
import { initAll } from "./vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

/* == part: portal == */
// A location request: "Use my current location" fills latitude and longitude from the
// browser's geolocation, only when the client asks (the page works without it: type them).
for (const box of document.querySelectorAll('[data-module="casework-geolocate"]')) {
  if (!("geolocation" in navigator)) continue;
  const status = box.querySelector(".casework-geolocate__status");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button govuk-button--secondary";
  button.textContent = box.dataset.i18nButton;
  box.insertBefore(button, status);
  button.addEventListener("click", () => {
    status.textContent = box.dataset.i18nBusy;
    navigator.geolocation.getCurrentPosition((position) => {
      document.getElementById("latitude").value = position.coords.latitude.toFixed(6);
      document.getElementById("longitude").value = position.coords.longitude.toFixed(6);
      status.textContent = box.dataset.i18nDone;
    }, () => {
      status.textContent = box.dataset.i18nFailed;
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 });
  });
}
/* == end part: portal == */
