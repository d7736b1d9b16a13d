/* HTML → PDF: shared helpers, recent jobs in this browser, and the submit form. */
"use strict";

const H2P = (function () {
  const RECENT_KEY = "html2pdf.recent";
  const RECENT_MAX = 12;
  const TERMINAL = ["SUCCESS", "FAILURE", "REVOKED"];
  const STATE_LABELS = {
    PENDING: "Queued", STARTED: "Starting", PROGRESS: "Converting", RETRY: "Retrying",
    SUCCESS: "Done", FAILURE: "Failed", REVOKED: "Cancelled", EXPIRED: "Expired",
  };

  function isTerminal(state) {
    return TERMINAL.includes(state) || state === "EXPIRED";
  }

  function formatBytes(bytes) {
    if (bytes < 1024) return bytes + " B";
    const units = ["KB", "MB", "GB"];
    let value = bytes / 1024;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return (value < 10 ? value.toFixed(1) : Math.round(value)) + " " + units[unit];
  }

  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  function formatClock(ms) {
    const seconds = Math.max(0, Math.floor(ms / 1000));
    const minutes = Math.floor(seconds / 60);
    return minutes + ":" + String(seconds % 60).padStart(2, "0");
  }

  function formatDuration(ms) {
    const seconds = Math.max(0, ms / 1000);
    if (seconds < 0.1) return "under 0.1 s";
    if (seconds < 10) return seconds.toFixed(1) + " s";
    if (seconds < 60) return Math.round(seconds) + " s";
    return formatClock(ms) + " min";
  }

  function formatAgo(iso) {
    const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (seconds < 60) return "just now";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min ago";
    if (seconds < 86400) return Math.floor(seconds / 3600) + " h ago";
    return new Date(iso).toLocaleDateString();
  }

  function stageText(job) {
    const progress = job.progress || {};
    switch (progress.stage) {
      case "queued": return "Queued, waiting for a free worker";
      case "parsing": return "Parsing the HTML";
      case "layout": return progress.pages > 0 ? "Laying out page " + progress.pages : "Laying out the pages";
      case "writing": return "Writing the PDF";
      case "rendered":
      case "storing": return "Saving the PDF";
      case "done": return "Done";
      case "failed": return "Failed";
      case "cancelled": return "Cancelled";
      default: return STATE_LABELS[job.state] || "Working";
    }
  }

  /* An API answer's error in words, whatever the server sent back. */
  async function errorMessage(response) {
    try {
      const body = await response.json();
      if (body && body.error && body.error.message) return body.error.message;
    } catch (ignored) {
      /* not JSON: a proxy's page, say */
    }
    return "The server answered " + response.status + " " + response.statusText + ". Try again in a moment.";
  }

  function loadRecent() {
    try {
      const list = JSON.parse(localStorage.getItem(RECENT_KEY) || "[]");
      return Array.isArray(list) ? list.filter((item) => item && item.id) : [];
    } catch (ignored) {
      return [];
    }
  }

  function saveRecent(list) {
    try {
      localStorage.setItem(RECENT_KEY, JSON.stringify(list.slice(0, RECENT_MAX)));
    } catch (ignored) {
      /* storage full or disabled: the list is a convenience */
    }
  }

  /* Add or update a job in this browser's list; true when something changed. */
  function rememberJob(job) {
    const entry = {
      id: job.id, filename: job.filename, state: job.state, created_at: job.created_at,
      pages: job.pdf ? job.pdf.pages : null, bytes: job.pdf ? job.pdf.bytes : null,
    };
    const list = loadRecent();
    const index = list.findIndex((item) => item.id === job.id);
    if (index >= 0 && JSON.stringify(list[index]) === JSON.stringify(entry)) return false;
    if (index >= 0) list[index] = entry;
    else list.unshift(entry);
    saveRecent(list);
    return true;
  }

  function forgetRecent() {
    try {
      localStorage.removeItem(RECENT_KEY);
    } catch (ignored) {
      /* nothing to do */
    }
  }

  /* Drop one job from this browser's list (it was deleted from the server). */
  function forgetJob(id) {
    saveRecent(loadRecent().filter((item) => item.id !== id));
  }

  /* A random key for Idempotency-Key; randomUUID needs a secure context, getRandomValues does not. */
  function randomKey() {
    if (window.crypto.randomUUID) return window.crypto.randomUUID();
    return Array.from(window.crypto.getRandomValues(new Uint8Array(16)),
      (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  /* ---- API tokens: only POST and DELETE need one, and only when the service sets API_TOKENS ---- */

  const TOKEN_KEY = "html2pdf.token";
  let sessionToken = savedToken();  // also when storage is disabled
  let afterToken = null;            // what to do again once the user has given a token

  function savedToken() {
    try {
      return localStorage.getItem(TOKEN_KEY) || "";
    } catch (ignored) {
      return "";
    }
  }

  function storeToken(token) {
    try {
      if (token) localStorage.setItem(TOKEN_KEY, token);
      else localStorage.removeItem(TOKEN_KEY);
    } catch (ignored) {
      /* storage disabled: the token lasts as long as this page */
    }
    sessionToken = token;
    showSavedToken();
  }

  /* fetch() with the saved token, if there is one. */
  function fetchWithToken(url, init) {
    const headers = new Headers(init.headers || {});
    const token = sessionToken;
    if (token) headers.set("Authorization", "Bearer " + token);
    return fetch(url, { ...init, headers });
  }

  /* The service answered 401: ask for a token, then call `retry`. A refused token is forgotten. */
  function askForToken(why, retry) {
    const refused = Boolean(sessionToken);
    if (refused) storeToken("");
    afterToken = retry;
    document.getElementById("token-why").textContent = refused
      ? "The saved API token was not accepted. Paste a valid one to " + why + "."
      : "This service needs an API token to " + why + ". Paste the one you were given.";
    document.getElementById("token").hidden = false;
    tokenError("");
    const input = document.getElementById("token-input");
    input.value = "";
    input.focus();
  }

  /* Take the prompt away (what it was for no longer applies). */
  function dismissTokenPrompt() {
    afterToken = null;
    const box = document.getElementById("token");
    if (box) box.hidden = true;
  }

  function tokenPromptOpen() {
    const box = document.getElementById("token");
    return Boolean(box && !box.hidden);
  }

  function tokenError(message) {
    const error = document.getElementById("token-error");
    const input = document.getElementById("token-input");
    error.textContent = message;
    error.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  function showSavedToken() {
    const line = document.getElementById("token-saved");
    if (!line) return;
    line.hidden = !sessionToken;
    if (sessionToken) document.getElementById("token-forgotten").hidden = true;
  }

  function setUpToken() {
    const form = document.getElementById("token-form");
    if (!form || !document.getElementById("token")) return;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const token = document.getElementById("token-input").value.trim();
      if (!token) {
        tokenError("Enter the token first.");
        document.getElementById("token-input").focus();
        return;
      }
      storeToken(token);
      const retry = afterToken;
      dismissTokenPrompt();
      if (retry) retry();
    });
    document.getElementById("token-input").addEventListener("input", () => tokenError(""));
    document.getElementById("token-forget").addEventListener("click", () => {
      storeToken("");
      const done = document.getElementById("token-forgotten");
      done.hidden = false;
      // The button went away with the line: keep the keyboard focus on the news.
      done.focus();
    });
    // Saved or forgotten in another tab.
    window.addEventListener("storage", (event) => {
      if (event.key !== TOKEN_KEY && event.key !== null) return;
      sessionToken = savedToken();
      showSavedToken();
    });
    showSavedToken();
  }

  setUpToken();

  return {
    STATE_LABELS, isTerminal, formatBytes, formatClock, formatDuration, formatAgo, plural, stageText,
    errorMessage, loadRecent, saveRecent, rememberJob, forgetRecent, forgetJob, randomKey,
    fetchWithToken, askForToken, dismissTokenPrompt, tokenPromptOpen,
  };
})();

/* Draw the list of this browser's recent jobs. */
function renderRecent() {
  const section = document.getElementById("recent");
  const list = document.getElementById("recent-list");
  const jobs = H2P.loadRecent();
  section.hidden = jobs.length === 0;
  list.replaceChildren(...jobs.map(recentItem));
}

function recentItem(job) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = "/jobs/" + encodeURIComponent(job.id);
  link.className = "filename";
  link.textContent = job.filename;
  const badge = document.createElement("span");
  badge.className = "badge state-" + job.state.toLowerCase();
  badge.textContent = H2P.STATE_LABELS[job.state] || job.state;
  const meta = document.createElement("span");
  meta.className = "recent-meta";
  const details = [H2P.formatAgo(job.created_at)];
  if (job.pages) details.push(H2P.plural(job.pages, "page"), H2P.formatBytes(job.bytes));
  meta.textContent = details.join(" · ");
  item.append(link, meta, badge);
  return item;
}

/* Bring unfinished entries up to date until they end (or turn out to have expired). */
let refreshing = false;

async function refreshUnfinished() {
  if (refreshing) return;
  const open = H2P.loadRecent().filter((job) => !H2P.isTerminal(job.state));
  if (open.length === 0) return;
  refreshing = true;
  for (const entry of open) {
    try {
      const response = await fetch("/api/jobs/" + encodeURIComponent(entry.id), { cache: "no-store" });
      if (response.ok) H2P.rememberJob(await response.json());
      else if (response.status === 404) H2P.rememberJob({ ...entry, state: "EXPIRED", pdf: null });
    } catch (ignored) {
      /* offline for a moment: try again on the next round */
    }
  }
  refreshing = false;
  renderRecent();
  window.setTimeout(refreshUnfinished, 2000);
}

/* The submit form on the start page. */
(function () {
  const form = document.getElementById("convert");
  if (!form) return;
  const maxBytes = Number(form.dataset.maxBytes);
  const maxUploadBytes = Number(form.dataset.maxUploadBytes);
  const textarea = document.getElementById("html");
  const fileInput = document.getElementById("file");
  const drop = document.getElementById("drop");
  const chosen = document.getElementById("chosen");
  const submit = document.getElementById("submit");
  const errorBox = document.getElementById("form-error");
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
    document.getElementById("chosen-size").textContent = H2P.formatBytes(file.size);
    const zip = /\.zip$/i.test(file.name);
    const limit = zip ? maxUploadBytes : maxBytes;
    if (file.size > limit + 64 * 1024) {
      showError(file.name + " is " + H2P.formatBytes(file.size) + ": this service takes up to "
        + H2P.formatBytes(limit) + (zip ? " in a .zip." : " of HTML."));
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
    textarea.value = exampleReport(40);
    if (!document.getElementById("filename").value) {
      document.getElementById("filename").value = "sample-report.pdf";
    }
    showError("");
    textarea.focus();
    textarea.setSelectionRange(0, 0);
    textarea.scrollTop = 0;
  });

  /* ---- page setup: sent as the JSON field `options`, only what the user set ---- */

  const setup = document.getElementById("setup");
  const pageNumbers = document.getElementById("opt-page-numbers");
  const PAGE_NUMBERS = "Page {page} of {pages}";

  function optionFields() {
    return Array.from(setup.querySelectorAll("[data-option]"));
  }

  function readOptions() {
    const options = {};
    optionFields().forEach((input) => {
      const value = input.value.trim();
      if (value) options[input.dataset.option] = value;
    });
    if (pageNumbers.checked) {
      options.footer_html = options.footer_html ? options.footer_html + " · " + PAGE_NUMBERS : PAGE_NUMBERS;
    }
    return options;
  }

  /* What the closed "Page setup" line says is set. */
  function summarise() {
    const options = readOptions();
    const parts = [options.page_size, options.orientation, options.margin && "margins " + options.margin];
    if (options.header_html) parts.push("header");
    if (pageNumbers.checked) parts.push("page numbers");
    else if (options.footer_html) parts.push("footer");
    if (options.title || options.author) parts.push("title and author");
    const chosen = parts.filter(Boolean);
    document.getElementById("setup-summary").textContent = chosen.length
      ? chosen.join(" · ") : "paper, margins, page numbers";
  }

  /* The input a `bad_option` message is about: it starts with "options.<field>:". */
  function optionInput(message) {
    const match = /^options\.(\w+):\s*/.exec(message);
    if (!match) return null;
    const text = message.slice(match[0].length);
    if (match[1] === "footer_html" && !document.getElementById("opt-footer").value.trim()) {
      return { input: pageNumbers, text };
    }
    const input = optionFields().find((field) => field.dataset.option === match[1]);
    return input ? { input, text } : null;
  }

  function showFieldError(input, text) {
    const error = document.createElement("p");
    error.className = "field-error";
    error.id = input.id + "-error";
    error.textContent = text;
    // Right under a text field or a menu; after a checkbox's label and hint.
    if (input.type === "checkbox") input.closest(".field").append(error);
    else input.after(error);
    input.setAttribute("aria-invalid", "true");
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    input.setAttribute("aria-describedby", [error.id, ...described].join(" "));
    setup.open = true;
    input.focus();
  }

  function clearFieldError(input) {
    const error = document.getElementById(input.id + "-error");
    if (!error) return;
    error.remove();
    input.removeAttribute("aria-invalid");
    const described = input.getAttribute("aria-describedby").split(" ").filter((id) => id !== error.id);
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  function clearFieldErrors() {
    [...optionFields(), pageNumbers].forEach(clearFieldError);
  }

  [...optionFields(), pageNumbers].forEach((input) => {
    const changed = () => {
      clearFieldError(input);
      summarise();
    };
    input.addEventListener("input", changed);
    input.addEventListener("change", changed);
  });

  /* ---- sending ---- */

  /* One Idempotency-Key per attempt: pressing Convert again after the network failed (or
     after giving a token) resends the same form under the same key, so the service answers
     with the job the lost attempt may have made instead of making a second one. */
  let attempt = null;   // { key, signature } of a submission that got no usable answer yet

  function attemptKey(signature) {
    if (!attempt || attempt.signature !== signature) attempt = { key: H2P.randomKey(), signature };
    return attempt.key;
  }

  function formData(options) {
    const data = new FormData();
    if (file) data.append("file", file);
    else data.append("html", textarea.value);
    const name = document.getElementById("filename").value.trim();
    if (name) data.append("filename", name);
    if (Object.keys(options).length) data.append("options", JSON.stringify(options));
    return data;
  }

  /* Everything the service sees of this submission (a file by name, size and date). */
  function signatureOf(options) {
    const source = file ? [file.name, file.size, file.lastModified] : textarea.value;
    return JSON.stringify([source, document.getElementById("filename").value.trim(), options]);
  }

  async function send() {
    if (sending) return;
    const options = readOptions();
    const key = attemptKey(signatureOf(options));
    busy(true);
    showError("");
    clearFieldErrors();
    try {
      const response = await H2P.fetchWithToken("/api/jobs", {
        method: "POST", body: formData(options), headers: { "Idempotency-Key": key },
      });
      if (response.status === 202) {
        const job = await response.json();
        attempt = null;
        H2P.rememberJob(job);
        window.location.assign("/jobs/" + encodeURIComponent(job.id));
        return;
      }
      busy(false);
      if (response.status === 401) {
        H2P.askForToken("convert documents", () => {
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
    const field = error && error.code === "bad_option" ? optionInput(error.message) : null;
    if (field) showFieldError(field.input, field.text);
    else showError(await H2P.errorMessage(response));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  summarise();  // the browser may have restored the fields

  // Not `disabled`: a disabled button loses the keyboard focus.
  function busy(on) {
    sending = on;
    if (on) submit.setAttribute("aria-disabled", "true");
    else submit.removeAttribute("aria-disabled");
    submit.textContent = on ? "Uploading…" : "Convert to PDF";
  }

  renderRecent();
  refreshUnfinished();
  window.addEventListener("storage", renderRecent);
  window.addEventListener("pageshow", (event) => {
    // Back from a job page out of the back-forward cache: the list may have moved on,
    // and the form, left "Uploading…", can be sent again (as a new submission).
    if (!event.persisted) return;
    busy(false);
    renderRecent();
    refreshUnfinished();
  });
  document.getElementById("recent-clear").addEventListener("click", () => {
    H2P.forgetRecent();
    renderRecent();
    textarea.focus();
  });
})();

/* A multi-page sample report, so a first conversion shows the bar moving. */
function exampleReport(sections) {
  const regions = ["North", "South", "East", "West", "Central"];
  const parts = [
    "<!doctype html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Quarterly operations report</title>",
    "<style>\n  @page { size: a4; margin: 2cm; }\n  body { font-family: Helvetica; font-size: 10pt; color: #222; }",
    "  h1 { color: #1e3a8a; border-bottom: 1px solid #1e3a8a; }\n  h2 { color: #1e3a8a; margin-top: 18pt; }",
    "  table { width: 100%; }\n  th { background: #e0e7ff; text-align: left; padding: 3pt; }",
    "  td { border-bottom: 1px solid #ddd; padding: 3pt; }\n</style>\n</head>\n<body>",
    "<h1>Quarterly operations report</h1>",
    "<p>This sample is generated by the page: " + sections + " sections of text and tables, "
      + "long enough to watch the progress bar move. Edit it, or paste your own HTML.</p>",
  ];
  for (let section = 1; section <= sections; section += 1) {
    const region = regions[section % regions.length];
    parts.push("<h2>" + section + ". " + region + " region, site " + section + "</h2>");
    for (let paragraph = 1; paragraph <= 4; paragraph += 1) {
      parts.push("<p>Paragraph " + paragraph + ". Orders, returns and delivery times for site " + section
        + " are summarised below. " + "Volumes stayed within the planned range and no incident "
        + "needed escalation; the figures are rounded to whole units. ".repeat(3) + "</p>");
    }
    parts.push("<table>\n<tr><th>Month</th><th>Orders</th><th>Returns</th><th>On time</th></tr>");
    ["January", "February", "March"].forEach((month, index) => {
      const orders = 400 + ((section * 37 + index * 53) % 300);
      parts.push("<tr><td>" + month + "</td><td>" + orders + "</td><td>" + (orders % 17)
        + "</td><td>" + (90 + ((section + index) % 10)) + "%</td></tr>");
    });
    parts.push("</table>");
  }
  parts.push("</body>\n</html>\n");
  return parts.join("\n");
}
