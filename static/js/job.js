/* The job page: follow one job over its event stream (or by polling) to its PDF.
   Everything the page knows is one value, `state`; every change goes through dispatch(). */

import { errorMessage, fetchWithToken, jobApiUrl } from "./api.js";
import { follower } from "./job-follow.js";
import { initialState, isEnded, next } from "./job-state.js";
import { moveFocus, render } from "./job-view.js";
import { forgetJob, rememberJob } from "./recent.js";
import { askForToken, dismissTokenPrompt, setUpTokenPrompt, tokenPromptOpen } from "./token.js";

const jobId = document.getElementById("job").dataset.id;
const jobUrl = jobApiUrl(jobId);
const el = (id) => document.getElementById(id);

let state = initialState(Date.now());
const follow = follower(jobUrl, dispatch);

function dispatch(event) {
  const before = state;
  // Read before the render hides the Cancel button (and a token prompt for it), taking the focus with it.
  const prompting = tokenPromptOpen();
  const active = document.activeElement;
  const cancelHadFocus = active === el("cancel") || (prompting && el("token").contains(active));
  state = next(before, { ...event, at: Date.now() });
  render(before, state);
  follow(state);
  if (state.job && state.job !== before.job) rememberJob(state.job);
  if (state.missing && !before.missing) leave(before.job, state.missing);
  if (prompting && isEnded(state) && before.job && !isEnded(before)) dismissTokenPrompt();
  moveFocus(before, state, cancelHadFocus);
}

/* The job is gone: nothing here can be done for it any more, and this browser's list says so. */
function leave(job, missing) {
  dismissTokenPrompt();
  if (missing.deleted) forgetJob(jobId);
  else if (job) rememberJob({ ...job, state: "EXPIRED", pdf: null });
}

/* POST .../cancel: it never deletes, so a cancel that loses the race with the end keeps the PDF. */
async function cancel() {
  if (state.cancelling) return;
  dispatch({ type: "cancel-sent" });
  try {
    const response = await fetchWithToken(jobUrl + "/cancel", { method: "POST" });
    if (response.status === 202) dispatch({ type: "job", source: "answer", job: await response.json() });
    else if (response.status === 409) await showEnded();
    else if (response.status === 404) dispatch({ type: "gone", source: "answer", message: await errorMessage(response) });
    else if (response.status === 401) askForToken("cancel a conversion", () => retryFrom("cancel", cancel));
    else dispatch({ type: "notice", text: await errorMessage(response) });
  } catch (error) {
    dispatch({ type: "notice", text: "Could not reach the service to cancel. Try again." });
  } finally {
    dispatch({ type: "cancel-settled" });
  }
}

/* The cancel came too late: the job ended on its own, so show how. */
async function showEnded() {
  const response = await fetch(jobUrl, { cache: "no-store" });
  if (response.status === 404) {
    dispatch({ type: "gone", source: "answer", message: await errorMessage(response) });
    return;
  }
  if (!response.ok) {
    dispatch({ type: "notice", text: await errorMessage(response) });
    return;
  }
  const job = await response.json();
  dispatch({ type: "job", source: "answer", job });
  if (job.state !== "REVOKED") {
    dispatch({ type: "notice", text: "The conversion had already ended, so there was nothing to cancel." });
  }
}

/* Once the user has given a token: back to the button they pressed, and on with its action. */
function retryFrom(id, action) {
  el(id).focus();
  action(true);
}

async function deleteJob(confirmed) {
  const name = state.job ? state.job.filename : "this job";
  const question = "Delete " + name + " from the server? The PDF and this page's address stop working.";
  if (!confirmed && !window.confirm(question)) return;
  try {
    const response = await fetchWithToken(jobUrl, { method: "DELETE" });
    if (response.status === 204) dispatch({ type: "deleted" });
    else if (response.status === 404) dispatch({ type: "gone", source: "answer", message: await errorMessage(response) });
    else if (response.status === 202) dispatch({ type: "job", source: "answer", job: await response.json() });
    else if (response.status === 401) askForToken("delete a job", () => retryFrom("delete", deleteJob));
    else dispatch({ type: "notice", text: await errorMessage(response) });
  } catch (error) {
    dispatch({ type: "notice", text: "Could not reach the service to delete the job. Try again." });
  }
}

/* A button of its own, outside the job's state: it only says how the copy went. */
function offerCopyLink() {
  const button = el("copy-link");
  if (!navigator.clipboard || !window.isSecureContext) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      button.textContent = "Link copied";
    } catch (ignored) {
      button.textContent = "Copy the address bar instead";
    }
  });
}

setUpTokenPrompt();
el("cancel").addEventListener("click", () => cancel());
el("delete").addEventListener("click", () => deleteJob(false));
offerCopyLink();
window.addEventListener("pagehide", () => dispatch({ type: "page-hidden" }));
window.addEventListener("pageshow", (event) => {
  // Back from the back-forward cache: the stream was closed on the way out.
  if (event.persisted) dispatch({ type: "page-shown" });
});
follow(state);
