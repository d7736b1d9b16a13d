/* The start page's list of this browser's recent jobs, kept up to date until they end. */

import { jobApiUrl } from "./api.js";
import { STATE_LABELS, formatAgo, formatBytes, isTerminal, plural } from "./format.js";
import { forgetRecent, loadRecent, rememberJob } from "./recent.js";

const REFRESH_MS = 2000;
let refreshing = false;

function renderRecent() {
  const section = document.getElementById("recent");
  const list = document.getElementById("recent-list");
  const jobs = loadRecent();
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
  badge.textContent = STATE_LABELS[job.state] || job.state;
  const meta = document.createElement("span");
  meta.className = "recent-meta";
  const details = [formatAgo(job.created_at)];
  if (job.pages) details.push(plural(job.pages, "page"), formatBytes(job.bytes));
  meta.textContent = details.join(" · ");
  item.append(link, meta, badge);
  return item;
}

/* Bring unfinished entries up to date until they end (or turn out to have expired). */
async function refreshUnfinished() {
  if (refreshing) return;
  const open = loadRecent().filter((job) => !isTerminal(job.state));
  if (open.length === 0) return;
  refreshing = true;
  for (const entry of open) {
    try {
      const response = await fetch(jobApiUrl(entry.id), { cache: "no-store" });
      if (response.ok) rememberJob(await response.json());
      else if (response.status === 404) rememberJob({ ...entry, state: "EXPIRED", pdf: null });
    } catch (ignored) {
      /* offline for a moment: try again on the next round */
    }
  }
  refreshing = false;
  renderRecent();
  window.setTimeout(refreshUnfinished, REFRESH_MS);
}

/* Show the list and keep it current; `afterClear` runs once the user has cleared it. */
export function setUpRecentList(afterClear) {
  renderRecent();
  refreshUnfinished();
  window.addEventListener("storage", renderRecent);
  window.addEventListener("pageshow", (event) => {
    // Back from a job page out of the back-forward cache: the list may have moved on.
    if (!event.persisted) return;
    renderRecent();
    refreshUnfinished();
  });
  document.getElementById("recent-clear").addEventListener("click", () => {
    forgetRecent();
    renderRecent();
    afterClear();
  });
}
