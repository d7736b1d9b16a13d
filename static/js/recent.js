/* This browser's list of recent jobs, kept in localStorage: a convenience, never the truth. */

const RECENT_KEY = "html2pdf.recent";
const RECENT_MAX = 12;

export function loadRecent() {
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
export function rememberJob(job) {
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

export function forgetRecent() {
  try {
    localStorage.removeItem(RECENT_KEY);
  } catch (ignored) {
    /* nothing to do */
  }
}

/* Drop one job from this browser's list (it was deleted from the server). */
export function forgetJob(id) {
  saveRecent(loadRecent().filter((item) => item.id !== id));
}
