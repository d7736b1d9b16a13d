/* What keeps the job page informed, run as its state says (job-state.js): the job's event
   stream, polling the API as the fallback, and the clock for the elapsed time. What they hear
   comes back as events through `dispatch`. */

import { errorMessage } from "./api.js";
import { isFollowing } from "./job-state.js";

const POLL_MS = 1000;
const TICK_MS = 500;

/* Returns sync(state): opens or closes each of the three to match the state. */
export function follower(jobUrl, dispatch) {
  let stream = null;  // the EventSource, while it is open
  let poller = null;  // the polling loop, while it runs
  let clock = 0;      // the interval that ticks

  function openStream() {
    const events = new EventSource(jobUrl + "/events");
    const onJob = (source) => (event) => {
      if (events === stream) dispatch({ type: "job", source, job: JSON.parse(event.data) });
    };
    events.addEventListener("progress", onJob("stream"));
    events.addEventListener("end", onJob("stream-end"));
    events.onerror = () => {
      if (events === stream) dispatch({ type: "stream-failed", closed: events.readyState === EventSource.CLOSED });
    };
    return events;
  }

  function startPolling() {
    const loop = { stopped: false, timer: 0 };
    const poll = async () => {
      let delay = POLL_MS;
      try {
        const response = await fetch(jobUrl, { cache: "no-store" });
        if (loop.stopped) return;
        if (response.status === 404) {
          dispatch({ type: "gone", source: "poll", message: await errorMessage(response) });
          return;
        }
        if (response.ok) {
          dispatch({ type: "job", source: "poll", job: await response.json() });
        } else {
          dispatch({ type: "notice", source: "poll", text: await errorMessage(response) });
          delay = 3 * POLL_MS;
        }
      } catch (error) {
        dispatch({ type: "notice", source: "poll", text: "Connection lost, retrying…" });
        delay = 3 * POLL_MS;
      }
      if (!loop.stopped) loop.timer = window.setTimeout(poll, delay);
    };
    poll();
    return loop;
  }

  return function sync(state) {
    if (state.streaming && !stream) {
      stream = openStream();
    } else if (!state.streaming && stream) {
      stream.close();
      stream = null;
    }
    if (state.polling && !poller) {
      poller = startPolling();
    } else if (!state.polling && poller) {
      poller.stopped = true;
      window.clearTimeout(poller.timer);
      poller = null;
    }
    if (isFollowing(state) && !clock) {
      clock = window.setInterval(() => dispatch({ type: "tick" }), TICK_MS);
    } else if (!isFollowing(state) && clock) {
      window.clearInterval(clock);
      clock = 0;
    }
  };
}
