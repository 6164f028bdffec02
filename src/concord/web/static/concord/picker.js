// Pickers: a <select data-picker="URL"> of the valid choices becomes a search-as-you-type
// combobox (the WAI-ARIA 1.2 combobox pattern with a listbox popup). The <select> stays in the
// form, hidden, and carries the value posted, so without JavaScript the page works as it is.
// Choices come from URL (?q=what was typed, plus the value of the field named in
// data-picker-depends); only choices the <select> also holds are offered. No inline script or
// style: this file is loaded as a module, and CSS classes do the showing and hiding.

const DEBOUNCE_MS = 150;
let counter = 0;

function optionValues(select) {
  return new Set(Array.from(select.options).map((o) => o.value).filter((v) => v !== ""));
}

function enhance(select) {
  counter += 1;
  const base = select.id || `concord-picker-${counter}`;
  const form = select.form;
  const depends = select.dataset.pickerDepends ? form?.elements.namedItem(select.dataset.pickerDepends) : null;

  const wrapper = document.createElement("div");
  wrapper.className = "concord-picker";
  const input = document.createElement("input");
  input.type = "text";
  input.className = "govuk-input concord-picker__input";
  input.id = base;
  input.autocomplete = "off";
  input.spellcheck = false;
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", `${base}-listbox`);
  if (select.getAttribute("aria-describedby")) {
    input.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
  }
  if (select.classList.contains("govuk-select--error")) input.classList.add("govuk-input--error");
  if (select.dataset.pickerPlaceholder) input.placeholder = select.dataset.pickerPlaceholder;
  const listbox = document.createElement("ul");
  listbox.id = `${base}-listbox`;
  listbox.className = "concord-picker__listbox concord-picker__listbox--hidden";
  listbox.setAttribute("role", "listbox");
  const label = select.labels && select.labels[0];
  if (label) {
    label.id = label.id || `${base}-label`;
    listbox.setAttribute("aria-labelledby", label.id);
  }
  const status = document.createElement("div");
  status.className = "govuk-visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  status.setAttribute("aria-atomic", "true");

  // The select keeps its name and value, hidden from sight and from assistive technology.
  select.id = `${base}-select`;
  select.classList.add("concord-picker__select");
  select.setAttribute("aria-hidden", "true");
  select.tabIndex = -1;
  select.parentNode.insertBefore(wrapper, select);
  wrapper.append(input, listbox, status, select);
  if (select.value) input.value = select.options[select.selectedIndex].text;

  let results = [];
  let active = -1;
  let timer = null;
  let asked = 0;

  function close() {
    listbox.classList.add("concord-picker__listbox--hidden");
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function setActive(index) {
    const items = listbox.querySelectorAll('[role="option"]');
    if (!items.length) return;
    active = (index + items.length) % items.length;
    items.forEach((item, i) => {
      item.setAttribute("aria-selected", String(i === active));
      item.classList.toggle("concord-picker__option--active", i === active);
    });
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function choose(index) {
    const choice = results[index];
    if (!choice) return;
    // Anything still being looked up is for what was typed before the choice: drop it.
    clearTimeout(timer);
    asked += 1;
    input.setAttribute("aria-busy", "false");
    select.value = choice.value;
    input.value = choice.label;
    close();
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function render(count) {
    listbox.replaceChildren();
    results.forEach((choice, i) => {
      const item = document.createElement("li");
      item.id = `${base}-option-${i}`;
      item.className = "concord-picker__option";
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.dataset.value = choice.value;
      item.textContent = choice.label;
      if (choice.hint) {
        const hint = document.createElement("span");
        hint.className = "concord-picker__hint";
        hint.textContent = choice.hint;
        item.append(" ", hint);
      }
      item.addEventListener("mousedown", (event) => event.preventDefault());
      item.addEventListener("click", () => choose(i));
      listbox.append(item);
    });
    if (results.length) {
      listbox.classList.remove("concord-picker__listbox--hidden");
      input.setAttribute("aria-expanded", "true");
      status.textContent = (select.dataset.pickerCount || "%(count)s").replace("%(count)s", String(count));
    } else {
      close();
      status.textContent = select.dataset.pickerNone || "";
    }
  }

  async function lookUp(typed) {
    const url = new URL(select.dataset.picker, window.location.href);
    url.searchParams.set("q", typed);
    if (depends && depends.value) url.searchParams.set(select.dataset.pickerDepends, depends.value);
    asked += 1;
    const mine = asked;
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok || mine !== asked) return null;
    const body = await response.json();
    const allowed = optionValues(select);
    const offered = body.results.filter((c) => allowed.has(c.value));
    return { count: offered.length === body.results.length ? body.count : offered.length, results: offered };
  }

  async function search() {
    const found = await lookUp(input.value.trim());
    if (found === null) return;
    input.setAttribute("aria-busy", "false");
    if (document.activeElement !== input) return;
    results = found.results;
    render(found.count);
  }

  input.addEventListener("input", () => {
    // What was typed no longer names the choice made: nothing is chosen until one is picked.
    if (select.value && input.value !== select.options[select.selectedIndex].text) select.value = "";
    // Whatever is still being looked up was for what was there before.
    asked += 1;
    input.setAttribute("aria-busy", "true");
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  });
  input.addEventListener("focus", () => {
    if (!input.value) search();
  });
  input.addEventListener("keydown", (event) => {
    const open = input.getAttribute("aria-expanded") === "true";
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open) search().then(() => setActive(0));
      else setActive(active + 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (open) setActive(active - 1);
    } else if (event.key === "Enter") {
      if (open && active >= 0) {
        event.preventDefault();
        choose(active);
      }
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        close();
      }
    } else if (event.key === "Tab") {
      close();
    }
  });
  input.addEventListener("blur", () => {
    close();
    if (!select.value) input.value = "";
  });
  if (depends) {
    // A choice the other field no longer allows is taken away (the server would refuse it).
    depends.addEventListener("change", async () => {
      if (!select.value) return;
      const found = await lookUp(select.options[select.selectedIndex].text);
      if (found && !found.results.some((c) => c.value === select.value)) {
        select.value = "";
        input.value = "";
      }
    });
  }
}

document.querySelectorAll("select[data-picker]").forEach(enhance);
