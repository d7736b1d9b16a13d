/* The form's "Page setup": what the user set, sent as the JSON field `options`, and the
   service's complaint about one of them shown beside its field. */

import { finishingSteps } from "./finishing.js";

const PAGE_NUMBERS = "Page {page} of {pages}";

export function pageSetup(setup) {
  const pageNumbers = document.getElementById("opt-page-numbers");
  const optionFields = () => Array.from(setup.querySelectorAll("[data-option]"));
  const finishing = finishingSteps(setup);

  /* Only what the user set. */
  function read() {
    const options = {};
    optionFields().forEach((input) => {
      const value = input.value.trim();
      if (value) options[input.dataset.option] = value;
    });
    if (pageNumbers.checked) {
      options.footer_html = options.footer_html ? options.footer_html + " · " + PAGE_NUMBERS : PAGE_NUMBERS;
    }
    return { ...options, ...finishing.read() };
  }

  /* What the closed "Page setup" line says is set. */
  function summarise() {
    const options = read();
    const parts = [options.page_size, options.orientation, options.margin && "margins " + options.margin];
    if (options.header_html) parts.push("header");
    if (pageNumbers.checked) parts.push("page numbers");
    else if (options.footer_html) parts.push("footer");
    if (options.title || options.author) parts.push("title and author");
    const chosen = [...parts.filter(Boolean), ...finishing.summary()];
    const line = document.getElementById("setup-summary");
    line.dataset.idle = line.dataset.idle || line.textContent;  // what the template says when nothing is set
    line.textContent = chosen.length ? chosen.join(" · ") : line.dataset.idle;
  }

  /* The input a `bad_option` message is about: it starts with "options.<field>:" (or
     "options.<step>.<field>:" for a finishing step). */
  function optionInput(message) {
    const match = /^options\.([\w.[\]]+):\s*/.exec(message);
    if (!match) return null;
    const text = message.slice(match[0].length);
    if (match[1] === "footer_html" && !document.getElementById("opt-footer").value.trim()) {
      return { input: pageNumbers, text };
    }
    const input = optionFields().find((field) => field.dataset.option === match[1]) || finishing.inputFor(match[1]);
    return input ? { input, text } : null;
  }

  function showFieldError(input, text) {
    const error = document.createElement("p");
    error.className = "field-error";
    error.id = input.id + "-error";
    error.textContent = text;
    // Right under a text field or a menu; after a checkbox's label and hint.
    if (input.type === "checkbox") input.closest(".field").append(error);
    else input.after(error);
    input.setAttribute("aria-invalid", "true");
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    input.setAttribute("aria-describedby", [error.id, ...described].join(" "));
    setup.open = true;
    input.focus();
  }

  function clearFieldError(input) {
    const error = document.getElementById(input.id + "-error");
    if (!error) return;
    error.remove();
    input.removeAttribute("aria-invalid");
    const described = input.getAttribute("aria-describedby").split(" ").filter((id) => id !== error.id);
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  /* Show a `bad_option` message beside its field; false when no field here is the one it names. */
  function showOptionError(message) {
    const field = optionInput(message);
    if (field) showFieldError(field.input, field.text);
    return Boolean(field);
  }

  const allInputs = () => [...optionFields(), pageNumbers, ...finishing.inputs()];

  function clearErrors() {
    allInputs().forEach(clearFieldError);
  }

  allInputs().forEach((input) => {
    const changed = () => {
      clearFieldError(input);
      summarise();
    };
    input.addEventListener("input", changed);
    input.addEventListener("change", changed);
  });
  summarise();  // the browser may have restored the fields

  return { read, showOptionError, clearErrors };
}
