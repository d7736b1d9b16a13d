/* The job page's state: one value, changed only by next(state, event). Pure: no DOM, no network,
   no clock (every event carries its time as `at`).

   Events: {type: "job", job, source}      a job JSON from "stream", "stream-end" (the stream's last
                                           event), "poll" or "answer" (to a cancel or a delete)
           {type: "gone", message, source} the job no longer exists ("poll" or "answer")
           {type: "deleted"}               the user deleted it
           {type: "stream-failed", closed} the EventSource erred; closed: for good
           {type: "notice", text, source}  a line for the user ("poll", or none)
           {type: "cancel-sent"}, {type: "cancel-settled"}
           {type: "tick"}                  the clock moved on
           {type: "page-hidden"}, {type: "page-shown"}  left for, and back from, the back-forward cache */

import { isTerminal } from "./format.js";

const SAMPLE_WINDOW_MS = 20000;

export function initialState(now) {
  return {
    job: null,          // the latest job JSON shown
    missing: null,      // once the job is gone: { message } or { deleted: true }
    streaming: true,    // the job's EventSource is (to be) open
    polling: false,     // the API is asked instead, or as well until the stream has spoken
    heard: false,       // the stream has delivered an event
    cancelling: false,  // a cancel is on its way
    notice: "",         // a line about the connection or a refused action
    samples: [],        // [time, percent] pairs for the time-remaining estimate
    now,                // when the latest event came
  };
}

export function isEnded(state) {
  return Boolean(state.job) && isTerminal(state.job.state);
}

/* Still watching: the job neither ended nor gone. */
export function isFollowing(state) {
  return !state.missing && !isEnded(state);
}

/* The job's progress as a number from 0 to 100. */
export function percentOf(job) {
  return Math.max(0, Math.min(100, Number(job.progress.percent) || 0));
}

export function next(previous, event) {
  const state = { ...previous, now: event.at };
  if (event.source === "poll" && !state.polling) return state;  // an answer to a poll no longer wanted
  switch (event.type) {
    case "job": return withJob(event.source.startsWith("stream") ? streamed(state, event) : polled(state, event),
      event.job, event.at);
    case "gone": return gone(state, { message: event.message });
    case "deleted": return gone(state, { deleted: true });
    case "stream-failed": return streamFailed(state, event.closed);
    case "notice": return { ...state, notice: event.text };
    case "cancel-sent": return { ...state, cancelling: true };
    case "cancel-settled": return { ...state, cancelling: false };
    case "page-hidden": return { ...state, streaming: false };
    case "page-shown": return { ...state, streaming: isFollowing(state) };
    case "tick": return state;
    default: throw new Error("no such event: " + event.type);
  }
}

function streamed(state, event) {
  const heard = { ...state, heard: true, polling: false, notice: "" };
  return event.source === "stream-end" ? { ...heard, streaming: false } : heard;
}

function polled(state, event) {
  return event.source === "poll" ? { ...state, notice: "" } : state;
}

/* The job as it is now, unless it is older than what is shown. An end ends the following. */
function withJob(state, job, at) {
  if (state.missing || (state.job && isStale(job, state.job))) return state;
  if (isTerminal(job.state)) return { ...state, job, streaming: false, polling: false };
  return { ...state, job, samples: sampled(state.samples, job, at) };
}

/* A late step of a running job (a poll answer overtaken by an event, say). An end
   always counts: the web tier stamps a cancel with its own clock, not the worker's. */
function isStale(job, than) {
  if (isTerminal(job.state)) return false;
  return isTerminal(than.state) || Date.parse(job.updated_at) < Date.parse(than.updated_at);
}

function sampled(samples, job, at) {
  if (job.progress.stage === "queued") return samples;
  const kept = [...samples, [at, percentOf(job)]];
  while (kept.length > 2 && at - kept[0][0] > SAMPLE_WINDOW_MS) kept.shift();
  return kept;
}

function gone(state, missing) {
  return { ...state, missing, streaming: false, polling: false };
}

function streamFailed(state, closed) {
  if (!state.streaming) return state;
  // Refused for good (a 404, a proxy error, a 204 after the end): ask the API instead.
  if (closed) return startPolling({ ...state, streaming: false });
  // The browser keeps retrying; meanwhile, poll so the page is not stuck.
  if (!state.heard) return startPolling(state);
  return { ...state, notice: "Connection lost, reconnecting…" };
}

function startPolling(state) {
  return isFollowing(state) ? { ...state, polling: true } : state;
}
