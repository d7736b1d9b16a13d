/* The start page's form: HTML pasted or a file chosen (or dropped), sent as one job. */

import { errorMessage, fetchWithToken, randomKey } from "./api.js";
import { formatBytes } from "./format.js";
import { pageSetup } from "./page-setup.js";
import { rememberJob } from "./recent.js";
import { exampleReport } from "./sample.js";
import { askForToken } from "./token.js";

const EXAMPLE_SECTIONS = 40;
const SIZE_SLACK = 64 * 1024;  // the form's own fields around the document

export function setUpForm(form) {
  const maxBytes = Number(form.dataset.maxBytes);
  const maxUploadBytes = Number(form.dataset.maxUploadBytes);
  const textarea = document.getElementById("html");
  const fileInput = document.getElementById("file");
  const filename = document.getElementById("filename");
  const drop = document.getElementById("drop");
  const chosen = document.getElementById("chosen");
  const submit = document.getElementById("submit");
  const errorBox = document.getElementById("form-error");
  const setup = pageSetup(document.getElementById("setup"));
  let file = null;
  let sending = false;

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function chooseFile(picked) {
    file = picked || null;
    chosen.hidden = !file;
    drop.hidden = Boolean(file);
    textarea.disabled = Boolean(file);
    showError("");
    if (!file) {
      fileInput.value = "";
      return;
    }
    document.getElementById("chosen-name").textContent = file.name;
    document.getElementById("chosen-size").textContent = formatBytes(file.size);
    const zip = /\.zip$/i.test(file.name);
    const limit = zip ? maxUploadBytes : maxBytes;
    if (file.size > limit + SIZE_SLACK) {
      showError(file.name + " is " + formatBytes(file.size) + ": this service takes up to "
        + formatBytes(limit) + (zip ? " in a .zip." : " of HTML."));
    }
  }

  fileInput.addEventListener("change", () => chooseFile(fileInput.files[0]));
  document.getElementById("clear-file").addEventListener("click", () => {
    chooseFile(null);
    fileInput.focus();
  });

  // Files dropped anywhere on the form count; dragged text still lands in the text box.
  const carriesFiles = (event) => Array.from(event.dataTransfer.types).includes("Files");
  ["dragenter", "dragover"].forEach((type) => form.addEventListener(type, (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    drop.classList.add("dragging");
  }));
  ["dragleave", "drop"].forEach((type) => form.addEventListener(type, () => drop.classList.remove("dragging")));
  form.addEventListener("drop", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    chooseFile(event.dataTransfer.files[0]);
  });
  // A file dropped beside the form must not replace the page with the file.
  ["dragover", "drop"].forEach((type) => window.addEventListener(type, (event) => {
    if (carriesFiles(event)) event.preventDefault();
  }));

  document.getElementById("load-example").addEventListener("click", () => {
    chooseFile(null);
    textarea.value = exampleReport(EXAMPLE_SECTIONS);
    if (!filename.value) filename.value = "sample-report.pdf";
    showError("");
    textarea.focus();
    textarea.setSelectionRange(0, 0);
    textarea.scrollTop = 0;
  });

  /* One Idempotency-Key per attempt: pressing Convert again after the network failed (or
     after giving a token) resends the same form under the same key, so the service answers
     with the job the lost attempt may have made instead of making a second one. */
  let attempt = null;   // { key, signature } of a submission that got no usable answer yet

  function attemptKey(signature) {
    if (!attempt || attempt.signature !== signature) attempt = { key: randomKey(), signature };
    return attempt.key;
  }

  function formData(options) {
    const data = new FormData();
    if (file) data.append("file", file);
    else data.append("html", textarea.value);
    const name = filename.value.trim();
    if (name) data.append("filename", name);
    if (Object.keys(options).length) data.append("options", JSON.stringify(options));
    return data;
  }

  /* Everything the service sees of this submission (a file by name, size and date). */
  function signatureOf(options) {
    const source = file ? [file.name, file.size, file.lastModified] : textarea.value;
    return JSON.stringify([source, filename.value.trim(), options]);
  }

  async function send() {
    if (sending) return;
    const options = setup.read();
    const key = attemptKey(signatureOf(options));
    busy(true);
    showError("");
    setup.clearErrors();
    try {
      const response = await fetchWithToken("/api/jobs", {
        method: "POST", body: formData(options), headers: { "Idempotency-Key": key },
      });
      if (response.status === 202) {
        const job = await response.json();
        attempt = null;
        rememberJob(job);
        window.location.assign("/jobs/" + encodeURIComponent(job.id));
        return;
      }
      busy(false);
      if (response.status === 401) {
        askForToken("convert documents", () => {
          submit.focus();  // the prompt, and the focus in it, go away
          send();
        });
        return;
      }
      attempt = null;
      await showRefusal(response);
    } catch (error) {
      busy(false);
      showError("Could not reach the service (" + error.message + "). Check your connection and try again.");
    }
  }

  async function showRefusal(response) {
    let body = null;
    try {
      body = await response.clone().json();
    } catch (ignored) {
      /* not JSON: errorMessage says what it can */
    }
    const error = body && body.error;
    const placed = error && error.code === "bad_option" && setup.showOptionError(error.message);
    if (!placed) showError(await errorMessage(response));
  }

  // Not `disabled`: a disabled button loses the keyboard focus.
  function busy(on) {
    sending = on;
    if (on) submit.setAttribute("aria-disabled", "true");
    else submit.removeAttribute("aria-disabled");
    submit.textContent = on ? "Uploading…" : "Convert to PDF";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  window.addEventListener("pageshow", (event) => {
    // Back from a job page out of the back-forward cache: the form, left "Uploading…",
    // can be sent again (as a new submission).
    if (event.persisted) busy(false);
  });
}
