/* The job page: follow one job over its event stream (or by polling) to its PDF. */
"use strict";

(function () {
  const root = document.getElementById("job");
  if (!root) return;
  const jobId = root.dataset.id;
  const jobUrl = "/api/jobs/" + encodeURIComponent(jobId);
  const POLL_MS = 1000;
  const PREVIEW_MAX_BYTES = 30 * 1024 * 1024;
  const el = (id) => document.getElementById(id);

  let current = null;       // the latest job JSON shown
  let stream = null;        // the EventSource, while it is open
  let polling = false;      // true while asking the API instead of streaming
  let pollTimer = null;
  let clockTimer = null;    // ticks the elapsed time
  let gotEvent = false;
  let cancelling = false;   // a cancel is on its way
  const samples = [];       // [time, percent] pairs for the time-remaining estimate

  /* ---- showing a state ---- */

  function show(job) {
    if (current && isStale(job, current)) return;
    const wasRunning = current !== null && !H2P.isTerminal(current.state);
    current = job;
    const ended = H2P.isTerminal(job.state);
    const percent = Math.max(0, Math.min(100, Number(job.progress.percent) || 0));
    const shown = job.state === "SUCCESS" ? 100 : Math.floor(percent);
    const stage = stageLine(job);

    root.dataset.state = job.state.toLowerCase();
    el("bar").setAttribute("aria-valuenow", String(shown));
    el("bar").setAttribute("aria-valuetext", shown + "%, " + stage);
    el("bar-fill").style.transform = "scaleX(" + shown / 100 + ")";
    // The number only where it adds to the words: while it runs, and at 100 %.
    const counting = job.state === "SUCCESS" || (!ended && job.progress.stage !== "queued");
    el("job-percent").textContent = counting ? shown + "%" : "";
    setText("job-stage", stage);
    setText("job-badge", H2P.STATE_LABELS[job.state] || job.state);
    setText("job-name", job.filename);
    el("job-pages").textContent = job.progress.pages > 0 ? String(job.progress.pages) : "–";
    document.title = (ended ? "" : shown + "% · ") + job.filename + " · HTML → PDF";

    if (!ended) sample(percent);
    showTimes();
    // Noted before the Cancel button (and a token prompt for it) disappear, which takes the focus with it.
    const asking = H2P.tokenPromptOpen();
    const cancelFocused = cancelling || document.activeElement === el("cancel")
      || (asking && el("token").contains(document.activeElement));
    el("job-running-actions").hidden = ended;
    if (ended && wasRunning && asking) H2P.dismissTokenPrompt();
    H2P.rememberJob(job);
    if (ended) finish(job, wasRunning && cancelFocused);
  }

  function stageLine(job) {
    if (job.state === "SUCCESS" && job.pdf) {
      return "Done: " + H2P.plural(job.pdf.pages, "page") + ", " + H2P.formatBytes(job.pdf.bytes);
    }
    const percent = Math.floor(job.progress.percent) + "%";
    if (job.state === "FAILURE") return "Stopped at " + percent;
    if (job.state === "REVOKED") return "Cancelled at " + percent;
    if (job.state === "RETRY") return "A worker stopped; trying again";
    return H2P.stageText(job);
  }

  /* A late step of a running job (a poll answer overtaken by an event, say). An end
     always counts: the web tier stamps a cancel with its own clock, not the worker's. */
  function isStale(job, than) {
    if (H2P.isTerminal(job.state)) return false;
    return H2P.isTerminal(than.state) || Date.parse(job.updated_at) < Date.parse(than.updated_at);
  }

  function setText(id, text) {
    const node = el(id);
    if (node.textContent !== text) node.textContent = text;
  }

  function finish(job, moveFocus) {
    stopStream();
    stopPolling();
    window.clearInterval(clockTimer);
    el("job-remaining-row").hidden = true;
    el("delete").hidden = false;
    const outcome = { SUCCESS: "job-success", FAILURE: "job-failure", REVOKED: "job-cancelled" }[job.state];
    ["job-success", "job-failure", "job-cancelled"].forEach((id) => { el(id).hidden = id !== outcome; });
    if (job.state === "FAILURE") {
      const message = job.error && job.error.message;
      el("job-error").textContent = message || "The render failed for a reason the service did not give.";
    }
    if (job.state === "SUCCESS" && job.pdf) showDownload(job);
    showFidelity(job.state === "SUCCESS" ? job.fidelity : null);
    // The Cancel button is gone: move keyboard users on to what they can do next.
    if (moveFocus && outcome) {
      el(outcome).querySelector("a").focus();
    }
  }

  function showDownload(job) {
    el("download").href = job.pdf.url;
    el("download-name").textContent = job.filename;
    el("download-meta").textContent = H2P.plural(job.pdf.pages, "page") + " · " + H2P.formatBytes(job.pdf.bytes);
    showPreview(job);
  }

  /* What the renderer could not do as a browser would: shown only when there is something to say.
     Every entry is the document's own text (a URL, a property name): set as text, never as markup. */
  function showFidelity(fidelity) {
    const report = fidelity || {};
    const css = Object.entries(report.ignored_css || {})
      .map(([feature, count]) => (count > 1 ? feature + " (" + count + "×)" : feature));
    const filled = [
      fill("fidelity-degraded", report.degraded || []),
      fill("fidelity-css", css),
      fill("fidelity-blocked", report.blocked_resources || []),
    ];
    el("job-fidelity").hidden = !filled.some(Boolean);
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

  function showMissing(message) {
    stopStream();
    stopPolling();
    window.clearInterval(clockTimer);
    root.dataset.state = "missing";
    el("bar").removeAttribute("aria-valuenow");
    setText("job-badge", "Not found");
    setText("job-stage", "This job no longer exists");
    el("job-running-actions").hidden = true;
    el("job-remaining-row").hidden = true;
    ["job-success", "job-failure", "job-cancelled", "preview", "delete"].forEach((id) => { el(id).hidden = true; });
    el("preview-frame").removeAttribute("src");
    H2P.dismissTokenPrompt();
    el("job-missing-text").textContent = message;
    el("job-missing").hidden = false;
    el("share").hidden = true;
    if (current) H2P.rememberJob({ ...current, state: "EXPIRED", pdf: null });
  }

  function notice(text) {
    el("job-notice").textContent = text;
    el("job-notice").hidden = !text;
  }

  /* ---- elapsed and remaining time ---- */

  function sample(percent) {
    const now = Date.now();
    if (current.progress.stage === "queued") return;
    samples.push([now, percent]);
    while (samples.length > 2 && now - samples[0][0] > 20000) samples.shift();
  }

  function showTimes() {
    if (!current) return;
    const created = Date.parse(current.created_at);
    const produced = Date.parse(current.updated_at) - created;
    const ended = H2P.isTerminal(current.state);
    // Trust the server's own clock for a finished job; for a live one, never show less than it.
    const elapsed = ended ? produced : Math.max(produced, Date.now() - created);
    setText("job-elapsed-label", ended ? "Took" : "Elapsed");
    setText("job-elapsed", ended ? H2P.formatDuration(elapsed) : H2P.formatClock(elapsed));
    el("job-remaining").textContent = ended ? "–" : remaining();
  }

  function remaining() {
    if (current.progress.stage === "queued") return "waiting";
    if (samples.length < 2) return "estimating…";
    const [firstTime, firstPercent] = samples[0];
    const [lastTime, lastPercent] = samples[samples.length - 1];
    const rate = (lastPercent - firstPercent) / (lastTime - firstTime);
    if (!(rate > 0) || lastTime - firstTime < 800) return "estimating…";
    const seconds = ((100 - lastPercent) / rate - (Date.now() - lastTime)) / 1000;
    if (seconds < 5) return "a few seconds";
    if (seconds < 60) return "about " + Math.ceil(seconds / 5) * 5 + " s";
    return "about " + H2P.plural(Math.round(seconds / 60), "minute");
  }

  /* ---- the event stream, with polling as the fallback ---- */

  function openStream() {
    stream = new EventSource(jobUrl + "/events");
    const onEvent = (event) => {
      gotEvent = true;
      stopPolling();
      notice("");
      show(JSON.parse(event.data));
    };
    stream.addEventListener("progress", onEvent);
    stream.addEventListener("end", (event) => {
      onEvent(event);
      stopStream();
    });
    stream.onerror = () => {
      if (!stream) return;
      if (stream.readyState === EventSource.CLOSED) {
        // Refused for good (a 404, a proxy error, a 204 after the end): ask the API instead.
        stopStream();
        startPolling();
      } else if (!gotEvent) {
        // The browser keeps retrying; meanwhile, poll so the page is not stuck.
        startPolling();
      } else {
        notice("Connection lost, reconnecting…");
      }
    };
  }

  function stopStream() {
    if (stream) {
      stream.close();
      stream = null;
    }
  }

  function startPolling() {
    if (polling || (current && H2P.isTerminal(current.state))) return;
    polling = true;
    poll();
  }

  function stopPolling() {
    polling = false;
    window.clearTimeout(pollTimer);
  }

  async function poll() {
    let delay = POLL_MS;
    try {
      const response = await fetch(jobUrl, { cache: "no-store" });
      if (!polling) return;
      if (response.status === 404) {
        showMissing(await H2P.errorMessage(response));
        return;
      }
      if (response.ok) {
        notice("");
        show(await response.json());
      } else {
        notice(await H2P.errorMessage(response));
        delay = 3 * POLL_MS;
      }
    } catch (error) {
      notice("Connection lost, retrying…");
      delay = 3 * POLL_MS;
    }
    if (polling) pollTimer = window.setTimeout(poll, delay);
  }

  /* ---- cancelling and deleting ---- */

  /* POST .../cancel: it never deletes, so a cancel that loses the race with the end keeps the PDF. */
  async function cancel() {
    const button = el("cancel");
    if (cancelling) return;
    // Not `disabled`: that would drop the keyboard focus on the floor.
    cancelling = true;
    button.setAttribute("aria-disabled", "true");
    button.textContent = "Cancelling…";
    try {
      const response = await H2P.fetchWithToken(jobUrl + "/cancel", { method: "POST" });
      if (response.status === 202) show(await response.json());
      else if (response.status === 409) await showEnded();
      else if (response.status === 404) showMissing(await H2P.errorMessage(response));
      else if (response.status === 401) H2P.askForToken("cancel a conversion", () => retryFrom("cancel", cancel));
      else notice(await H2P.errorMessage(response));
    } catch (error) {
      notice("Could not reach the service to cancel. Try again.");
    } finally {
      cancelling = false;
      button.removeAttribute("aria-disabled");
      button.textContent = "Cancel";
    }
  }

  /* The cancel came too late: the job ended on its own, so show how. */
  async function showEnded() {
    const response = await fetch(jobUrl, { cache: "no-store" });
    if (response.status === 404) {
      showMissing(await H2P.errorMessage(response));
      return;
    }
    if (!response.ok) {
      notice(await H2P.errorMessage(response));
      return;
    }
    const job = await response.json();
    show(job);
    if (job.state !== "REVOKED") notice("The conversion had already ended, so there was nothing to cancel.");
  }

  /* Once the user has given a token: back to the button they pressed, and on with its action. */
  function retryFrom(id, action) {
    el(id).focus();
    action(true);
  }

  async function deleteJob(confirmed) {
    const name = current ? current.filename : "this job";
    const question = "Delete " + name + " from the server? The PDF and this page's address stop working.";
    if (!confirmed && !window.confirm(question)) return;
    try {
      const response = await H2P.fetchWithToken(jobUrl, { method: "DELETE" });
      if (response.status === 204) showDeleted();
      else if (response.status === 404) showMissing(await H2P.errorMessage(response));
      else if (response.status === 202) show(await response.json());
      else if (response.status === 401) H2P.askForToken("delete a job", () => retryFrom("delete", deleteJob));
      else notice(await H2P.errorMessage(response));
    } catch (error) {
      notice("Could not reach the service to delete the job. Try again.");
    }
  }

  function showDeleted() {
    showMissing("You deleted it from the server, with its PDF.");
    el("job-missing-title").textContent = "This job was deleted";
    setText("job-badge", "Deleted");
    setText("job-stage", "Deleted from the server");
    H2P.forgetJob(jobId);
    el("job-missing").querySelector("a").focus();
  }

  el("cancel").addEventListener("click", () => cancel());
  el("delete").addEventListener("click", () => deleteJob(false));

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

  offerCopyLink();
  window.addEventListener("pagehide", stopStream);
  window.addEventListener("pageshow", (event) => {
    // Back from the back-forward cache: the stream was closed on the way out.
    if (event.persisted && !(current && H2P.isTerminal(current.state))) openStream();
  });
  clockTimer = window.setInterval(showTimes, 500);
  openStream();
})();
