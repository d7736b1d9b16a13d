/* The job page drawn from its state (job-state.js): render(before, after) brings the DOM from
   one state to the next; moveFocus says where the keyboard goes when the job ends or is deleted. */

import { STATE_LABELS, formatBytes, formatClock, formatDuration, isTerminal, plural, stageText } from "./format.js";
import { isEnded, percentOf } from "./job-state.js";

const PREVIEW_MAX_BYTES = 30 * 1024 * 1024;
const OUTCOMES = { SUCCESS: "job-success", FAILURE: "job-failure", REVOKED: "job-cancelled" };
const el = (id) => document.getElementById(id);

export function render(before, state) {
  setText("job-notice", state.notice);
  el("job-notice").hidden = !state.notice;
  showCancelling(state.cancelling);
  if (state.missing) {
    if (state.missing !== before.missing) showMissing(state.missing);
    return;
  }
  if (!state.job) return;
  if (state.job !== before.job) showJob(state.job);
  showTimes(state);
}

/* The Cancel button is gone, or the job was deleted: move keyboard users on to what they can
   do next. `cancelHadFocus`: the Cancel button, or the token prompt for it, had the focus. */
export function moveFocus(before, state, cancelHadFocus) {
  if (state.missing && state.missing.deleted && !before.missing) {
    el("job-missing").querySelector("a").focus();
    return;
  }
  const justEnded = isEnded(state) && before.job !== null && !isTerminal(before.job.state);
  const outcome = justEnded && OUTCOMES[state.job.state];
  if (outcome && (before.cancelling || cancelHadFocus)) el(outcome).querySelector("a").focus();
}

function setText(id, text) {
  const node = el(id);
  if (node.textContent !== text) node.textContent = text;
}

function setAttribute(node, name, value) {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

// Not `disabled`: that would drop the keyboard focus on the floor.
function showCancelling(cancelling) {
  const button = el("cancel");
  if (cancelling) setAttribute(button, "aria-disabled", "true");
  else button.removeAttribute("aria-disabled");
  setText("cancel", cancelling ? "Cancelling…" : "Cancel");
}

function showJob(job) {
  const ended = isTerminal(job.state);
  const shown = job.state === "SUCCESS" ? 100 : Math.floor(percentOf(job));
  const stage = stageLine(job);

  el("job").dataset.state = job.state.toLowerCase();
  setAttribute(el("bar"), "aria-valuenow", String(shown));
  setAttribute(el("bar"), "aria-valuetext", shown + "%, " + stage);
  el("bar-fill").style.transform = "scaleX(" + shown / 100 + ")";
  // The number only where it adds to the words: while it runs, and at 100 %.
  const counting = job.state === "SUCCESS" || (!ended && job.progress.stage !== "queued");
  setText("job-percent", counting ? shown + "%" : "");
  setText("job-stage", stage);
  setText("job-badge", STATE_LABELS[job.state] || job.state);
  setText("job-name", job.filename);
  setText("job-pages", job.progress.pages > 0 ? String(job.progress.pages) : "–");
  document.title = (ended ? "" : shown + "% · ") + job.filename + " · HTML → PDF";
  el("job-running-actions").hidden = ended;
  if (ended) showOutcome(job);
}

function stageLine(job) {
  if (job.state === "SUCCESS" && job.pdf) {
    return "Done: " + plural(job.pdf.pages, "page") + ", " + formatBytes(job.pdf.bytes);
  }
  const percent = Math.floor(job.progress.percent) + "%";
  if (job.state === "FAILURE") return "Stopped at " + percent;
  if (job.state === "REVOKED") return "Cancelled at " + percent;
  if (job.state === "RETRY") return "A worker stopped; trying again";
  return stageText(job);
}

function showOutcome(job) {
  el("job-remaining-row").hidden = true;
  el("delete").hidden = false;
  const outcome = OUTCOMES[job.state];
  Object.values(OUTCOMES).forEach((id) => { el(id).hidden = id !== outcome; });
  if (job.state === "FAILURE") {
    const message = job.error && job.error.message;
    el("job-error").textContent = message || "The render failed for a reason the service did not give.";
  }
  if (job.state === "SUCCESS" && job.pdf) showDownload(job);
  showFidelity(job.state === "SUCCESS" ? job.fidelity : null);
}

function showDownload(job) {
  el("download").href = job.pdf.url;
  el("download-name").textContent = job.filename;
  el("download-meta").textContent = plural(job.pdf.pages, "page") + " · " + formatBytes(job.pdf.bytes);
  showPreview(job);
}

/* What the renderer could not do as a browser would: shown only when there is something to say.
   Every entry is the document's own text (a URL, a property name): set as text, never as markup. */
function showFidelity(fidelity) {
  const report = fidelity || {};
  const omitted = report.omitted || {};
  const css = Object.entries(report.ignored_css || {})
    .map(([feature, count]) => (count > 1 ? feature + " (" + count + "×)" : feature));
  const filled = [
    fill("fidelity-degraded", withRest(report.degraded || [], omitted.degraded)),
    fill("fidelity-css", withRest(css, omitted.ignored_css)),
    fill("fidelity-blocked", withRest(report.blocked_resources || [], omitted.blocked_resources)),
  ];
  el("job-fidelity").hidden = !filled.some(Boolean);
}

/* A list the service cut (at 20 notes) ends with how many it left out. */
function withRest(items, rest) {
  return rest > 0 ? [...items, "and " + rest + " more"] : items;
}

function fill(id, items) {
  const box = el(id);
  box.querySelector("ul").replaceChildren(...items.map((text) => {
    const item = document.createElement("li");
    item.textContent = text;
    return item;
  }));
  box.hidden = items.length === 0;
  return items.length > 0;
}

/* The browser's own PDF viewer, straight from the API (served inline, under the job's file name).
   Without its toolbar and thumbnails the page gets the frame's whole width; the download link is above. */
function showPreview(job) {
  const frame = el("preview-frame");
  if (!navigator.pdfViewerEnabled || job.pdf.bytes > PREVIEW_MAX_BYTES || frame.getAttribute("src")) return;
  frame.src = job.pdf.url + "?disposition=inline#toolbar=0&view=FitH";
  el("preview").hidden = false;
}

function showMissing(missing) {
  el("job").dataset.state = "missing";
  el("bar").removeAttribute("aria-valuenow");
  setText("job-badge", missing.deleted ? "Deleted" : "Not found");
  setText("job-stage", missing.deleted ? "Deleted from the server" : "This job no longer exists");
  el("job-running-actions").hidden = true;
  el("job-remaining-row").hidden = true;
  [...Object.values(OUTCOMES), "preview", "delete"].forEach((id) => { el(id).hidden = true; });
  el("preview-frame").removeAttribute("src");
  if (missing.deleted) el("job-missing-title").textContent = "This job was deleted";
  el("job-missing-text").textContent = missing.deleted ? "You deleted it from the server, with its PDF." : missing.message;
  el("job-missing").hidden = false;
  el("share").hidden = true;
}

/* Elapsed and remaining time. */
function showTimes(state) {
  const job = state.job;
  const created = Date.parse(job.created_at);
  const produced = Date.parse(job.updated_at) - created;
  const ended = isTerminal(job.state);
  // Trust the server's own clock for a finished job; for a live one, never show less than it.
  const elapsed = ended ? produced : Math.max(produced, state.now - created);
  setText("job-elapsed-label", ended ? "Took" : "Elapsed");
  setText("job-elapsed", ended ? formatDuration(elapsed) : formatClock(elapsed));
  setText("job-remaining", ended ? "–" : remaining(state));
}

function remaining(state) {
  const samples = state.samples;
  if (state.job.progress.stage === "queued") return "waiting";
  if (samples.length < 2) return "estimating…";
  const [firstTime, firstPercent] = samples[0];
  const [lastTime, lastPercent] = samples[samples.length - 1];
  const rate = (lastPercent - firstPercent) / (lastTime - firstTime);
  if (!(rate > 0) || lastTime - firstTime < 800) return "estimating…";
  const seconds = ((100 - lastPercent) / rate - (state.now - lastTime)) / 1000;
  if (seconds < 5) return "a few seconds";
  if (seconds < 60) return "about " + Math.ceil(seconds / 5) * 5 + " s";
  return "about " + plural(Math.round(seconds / 60), "minute");
}
