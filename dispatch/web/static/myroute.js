// The volunteer's route: outcomes are kept on the phone until the server has them.
//
// Each tap becomes an event with an id made here; the outbox (localStorage) holds it until
// the server answers. Sending the same event again is harmless: the server stores an id once.
// Without signal the events wait, the page says how many, and they go when the phone is
// back online (the "online" event, a timer, or the "Send now" button).
(function () {
  "use strict";
  const page = document.querySelector(".myroute");
  if (!page) return;
  const KEY = "careroute-outbox";
  const SHARE = "careroute-share-position";
  const outbox = document.getElementById("outbox");
  const rejected = document.getElementById("rejected");
  const share = document.getElementById("share-position");

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (e) { return []; }
  }
  function save(items) {
    localStorage.setItem(KEY, JSON.stringify(items));
    render();
  }
  function eventId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function position() {
    if (!share || !share.checked || !navigator.geolocation) return Promise.resolve({});
    return new Promise((resolve) => {
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude }),
        () => resolve({}),
        { timeout: 5000, maximumAge: 60000 },
      );
    });
  }

  function render() {
    const items = load();
    outbox.hidden = items.length === 0;
    outbox.querySelector(".count").textContent =
      page.dataset.labelPending.replace("{n}", String(items.length));
    document.querySelectorAll("li.door").forEach((door) => {
      const waiting = items.some((item) => item.stop === door.dataset.stop);
      const state = door.querySelector(".state");
      let tag = state.querySelector(".pending");
      if (waiting && !tag) {
        tag = document.createElement("span");
        tag.className = "pending";
        tag.textContent = ` · ${state.dataset.waiting}`;
        state.appendChild(tag);
      } else if (!waiting && tag) {
        tag.remove();
      }
      // A no-answer or a concern raises an alert once the server has it, not before.
      const alerting = door.classList.contains("outcome-no_answer") || door.dataset.concern === "1";
      let alerted = state.querySelector(".alerted");
      if (alerting && !waiting && !alerted) {
        alerted = document.createElement("span");
        alerted.className = "alerted";
        alerted.textContent = ` · ${state.dataset.alerted}`;
        state.appendChild(alerted);
      } else if (waiting && alerted) {
        alerted.remove();
      }
    });
  }

  function enqueue(item) {
    const items = load();
    items.push(item);
    save(items);
    flush();
  }

  // The page's anti-forgery token, read when sending: a reloaded page brings the current one.
  function formToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  let flushing = false;
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (const item of load()) {
        let answer;
        try {
          answer = await fetch(item.url, {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-CSRF-Token": formToken() },
            body: JSON.stringify(item.body),
            credentials: "same-origin",
          });
        } catch (e) {
          break; // no signal: keep everything, try again later
        }
        if (answer.status === 401 || answer.status === 408 || answer.status === 429 ||
            answer.status >= 500) {
          break; // logged out or the server is busy: keep it
        }
        if (!answer.ok) {
          let detail = String(answer.status);
          let code = "";
          try {
            const problem = await answer.json();
            detail = problem.detail || detail;
            code = problem.code || "";
          } catch (e) { /* keep */ }
          if (code === "form_token") break; // signed in again elsewhere: kept for after a reload
          const line = document.createElement("li");
          line.textContent = `${page.dataset.labelRejected} ${item.label}: ${detail}`;
          rejected.appendChild(line);
          rejected.hidden = false;
        }
        save(load().filter((other) => other.body.client_event_id !== item.body.client_event_id));
      }
    } finally {
      flushing = false;
      render();
    }
  }

  async function record(door, kind, label) {
    const details = door.querySelector("details");
    const note = door.querySelector("textarea[name=note]");
    const concern = door.querySelector("input[name=concern]");
    const code = door.querySelector("input[name=card_code]");
    const body = Object.assign(
      {
        client_event_id: eventId(),
        kind: kind,
        recorded_at: new Date().toISOString(),
        note: note ? note.value.trim() : "",
        concern: concern ? concern.checked : false,
        card_code: code && code.value.trim() ? code.value.trim() : null,
      },
      await position(),
    );
    const name = door.querySelector("h2").textContent.trim();
    enqueue({
      url: `${page.dataset.api}/stops/${door.dataset.stop}/outcomes`,
      stop: door.dataset.stop,
      label: `${name} · ${label}`,
      body: body,
    });
    const state = door.querySelector(".state");
    state.textContent = "";
    const said = document.createElement("span");
    said.className = "said";
    said.textContent = `${kind === "delivered" ? "✓" : "⚠"} ${label}`;
    state.appendChild(said);
    door.className = `door done outcome-${kind}`;
    door.dataset.concern = body.concern ? "1" : "";
    render();
    if (note) note.value = "";
    if (concern) concern.checked = false;
    if (code) code.value = "";
    if (details) details.open = false;
  }

  document.querySelectorAll("li.door").forEach((door) => {
    door.querySelectorAll("button.kind").forEach((button) => {
      button.addEventListener("click", () => record(door, button.dataset.kind, button.textContent.trim()));
    });
  });
  document.querySelectorAll("button.mark").forEach((button) => {
    button.addEventListener("click", () => {
      button.disabled = true;
      enqueue({
        url: `${page.dataset.api}/routes/${page.dataset.day}/${button.dataset.event}`,
        stop: null,
        label: button.textContent.trim(),
        body: { client_event_id: eventId(), recorded_at: new Date().toISOString() },
      });
    });
  });
  if (share) {
    share.checked = localStorage.getItem(SHARE) === "1";
    share.addEventListener("change", () => localStorage.setItem(SHARE, share.checked ? "1" : "0"));
  }
  // The card's QR holds its code: phones that can read QR codes in the browser scan it.
  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    document.querySelectorAll("input[name=card_code]").forEach((input) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = page.dataset.labelScan;
      input.after(button);
      button.addEventListener("click", () => scan(input, button));
    });
  }
  async function scan(input, button) {
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (e) {
      return; // no camera, or not allowed: the code can be typed
    }
    const video = document.createElement("video");
    video.setAttribute("playsinline", "");
    video.className = "scanner";
    button.after(video);
    video.srcObject = stream;
    await video.play();
    const detector = new BarcodeDetector({ formats: ["qr_code"] });
    const started = Date.now();
    const stop = () => { stream.getTracks().forEach((track) => track.stop()); video.remove(); };
    const look = async () => {
      if (Date.now() - started > 30000) return stop();
      try {
        const found = await detector.detect(video);
        if (found.length) { input.value = found[0].rawValue.trim(); return stop(); }
      } catch (e) { /* not ready yet */ }
      requestAnimationFrame(look);
    };
    look();
  }

  document.getElementById("send-now").addEventListener("click", flush);
  // The day's picker: choosing a date opens that day's route.
  const pick = document.getElementById("pick-day");
  if (pick) {
    pick.addEventListener("change", function () {
      if (pick.value) window.location.href = "/me/" + pick.value;
    });
  }
  // Route pages readable without a network (sw.js); the outbox above keeps the outcomes.
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* older phone */ });
  }
  window.addEventListener("online", flush);
  setInterval(flush, 20000);
  render();
  flush();
})();
