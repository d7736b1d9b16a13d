/* Words and numbers as people read them: sizes, durations, a job's state and stage. */

const TERMINAL = ["SUCCESS", "FAILURE", "REVOKED"];

export const STATE_LABELS = {
  PENDING: "Queued", STARTED: "Starting", PROGRESS: "Converting", RETRY: "Retrying",
  SUCCESS: "Done", FAILURE: "Failed", REVOKED: "Cancelled", EXPIRED: "Expired",
};

export function isTerminal(state) {
  return TERMINAL.includes(state) || state === "EXPIRED";
}

export function formatBytes(bytes) {
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

export function plural(count, word) {
  return count + " " + word + (count === 1 ? "" : "s");
}

export function formatClock(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  return minutes + ":" + String(seconds % 60).padStart(2, "0");
}

export function formatDuration(ms) {
  const seconds = Math.max(0, ms / 1000);
  if (seconds < 0.1) return "under 0.1 s";
  if (seconds < 10) return seconds.toFixed(1) + " s";
  if (seconds < 60) return Math.round(seconds) + " s";
  return formatClock(ms) + " min";
}

export function formatAgo(iso) {
  const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return Math.floor(seconds / 60) + " min ago";
  if (seconds < 86400) return Math.floor(seconds / 3600) + " h ago";
  return new Date(iso).toLocaleDateString();
}

export function stageText(job) {
  const progress = job.progress || {};
  switch (progress.stage) {
    case "queued": return "Queued, waiting for a free worker";
    case "parsing": return "Parsing the HTML";
    case "fonts": return "Preparing Chinese, Japanese or Korean fonts (once, about a minute)";
    case "layout": return progress.pages > 0 ? "Laying out page " + progress.pages : "Laying out the pages";
    case "writing": return "Writing the PDF";
    case "rendered": return "Saving the PDF";
    case "finishing": return "Stamping, protecting, signing the PDF";
    case "storing": return "Saving the PDF";
    case "done": return "Done";
    case "failed": return "Failed";
    case "cancelled": return "Cancelled";
    default: return STATE_LABELS[job.state] || "Working";
  }
}
