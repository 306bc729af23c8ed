// Enhancements only: every page works without this file (GOV.UK Frontend's components).
import { initAll } from "./vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

/* == part: messages == */
// A mass send's progress (/staff/mass-sends/<id>) follows itself: the page is fetched again
// every 2 seconds until the send is done, and its progress region (aria-live) and results are
// replaced in place. Without JavaScript the page has a "Refresh" link.
const massSend = document.getElementById("mass-send-live");
if (massSend && massSend.dataset.refresh) {
  const url = massSend.dataset.refresh;
  const poll = async () => {
    let delay = 2000;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("mass-send-live");
      const progress = document.getElementById("mass-send-progress");
      if (fresh && progress) {
        progress.innerHTML = fresh.querySelector("#mass-send-progress").innerHTML;
        for (const child of [...massSend.children]) if (child !== progress) child.remove();
        for (const child of [...fresh.children]) {
          if (child.id !== "mass-send-progress") massSend.appendChild(document.importNode(child, true));
        }
        massSend.dataset.status = fresh.dataset.status;
        if (fresh.dataset.status === "done") return;
      }
    } catch (error) {
      delay = 5000; // the service is busy or the network is down: try again a little later
    }
    setTimeout(poll, delay);
  };
  setTimeout(poll, 1500);
}
/* == end part: messages == */
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
