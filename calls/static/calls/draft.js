// The draft saves itself as one types: one request at a time, a short pause after the
// last key. The server answers {version, saved_at}, or the error envelope; a stale
// version (a co-manager saved meanwhile) stops autosaving and sends the form without
// JavaScript, so that the page shows what changed and nothing typed is lost. Leaving the
// page by one of its other forms or links saves what is pending first.
const form = document.getElementById("draft-form");
const status = document.getElementById("autosave-status");
const DELAY = 1200;

if (form && status && !form.querySelector("fieldset[disabled]")) {
  const version = form.querySelector("input[name=version]");
  let timer = null;
  let running = null;
  let dirty = false;
  let stopped = false;

  const say = (text) => {
    status.textContent = text;
  };

  async function send() {
    dirty = false;
    say(form.dataset.saving);
    try {
      const response = await fetch(form.dataset.autosave, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const data = await response.json();
      if (response.ok) {
        version.value = data.version;
        if (!dirty) say(`${form.dataset.saved} · ${data.saved_at}`);
      } else if (data.error && data.error.code === "calls.stale_version") {
        stopped = true;
        say(data.error.message);
        form.submit();
      } else if (data.error) {
        say(data.error.message);
      }
    } catch {
      dirty = true;
      say(form.dataset.offline);
    }
  }

  // one save at a time; what was typed meanwhile is sent by the next one
  async function save() {
    clearTimeout(timer);
    while (running) await running;
    if (stopped || !dirty) return;
    running = send();
    try {
      await running;
    } finally {
      running = null;
    }
  }

  form.addEventListener("input", () => {
    dirty = true;
    say(form.dataset.saving);
    clearTimeout(timer);
    timer = setTimeout(save, DELAY);
  });

  // the Save button still works without waiting: the form is sent as is
  form.addEventListener("submit", () => {
    clearTimeout(timer);
    stopped = true;
  });

  // another form of the page (attach, remove) or a link onwards: save first
  document.addEventListener("submit", async (event) => {
    const other = event.target;
    if (other === form || !(dirty || running) || stopped) return;
    event.preventDefault();
    await save();
    other.submit();
  });
  document.addEventListener("click", async (event) => {
    const link = event.target.closest("a[href]");
    if (!link || !(dirty || running) || stopped) return;
    event.preventDefault();
    await save();
    window.location.assign(link.href);
  });
}
