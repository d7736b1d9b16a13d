/* The "Page setup" panel's finishing steps: a stamp, a password, a signature, read as the
   `stamp`, `protect` and `sign` keys of the job's options (tasks/document/finishing.py). */

const PERMISSIONS = "#opt-permissions input[type=checkbox]";
// A visible signature's box: page 1, bottom left, inside a 36 pt margin (points from the bottom-left).
const VISIBLE_FIELD = { page: 1, x: 36, y: 36, width: 200, height: 60 };

export function finishingSteps(setup) {
  const fields = () => Array.from(setup.querySelectorAll("input[data-finishing], select[data-finishing]"));
  const permissions = () => Array.from(setup.querySelectorAll(PERMISSIONS));
  const sign = document.getElementById("opt-sign");  // absent where the service has no signing identity
  const signVisible = document.getElementById("opt-sign-visible");

  /* What each `data-finishing="step.field"` input holds, by step; only the fields set. */
  function values() {
    const steps = { stamp: {}, protect: {}, sign: {} };
    fields().forEach((input) => {
      const [step, name] = input.dataset.finishing.split(".");
      const value = input.type === "password" ? input.value : input.value.trim();
      if (value) steps[step][name] = "number" in input.dataset ? Number(value) : value;
    });
    return steps;
  }

  /* The finishing keys of `options`: a step only when it is asked for. */
  function read() {
    const steps = values();
    const options = {};
    if (steps.stamp.text) options.stamp = steps.stamp;
    if (steps.protect.user_password || steps.protect.owner_password) {
      const allowed = permissions().filter((box) => box.checked).map((box) => box.value);
      if (allowed.length < permissions().length) steps.protect.permissions = allowed;
      options.protect = steps.protect;
    }
    if (sign && (sign.checked || steps.sign.reason || steps.sign.location)) {
      if (signVisible.checked) steps.sign.field = VISIBLE_FIELD;
      options.sign = steps.sign;
    }
    return options;
  }

  /* What the closed panel's line says is set. */
  function summary() {
    const options = read();
    return [options.stamp && "stamp “" + options.stamp.text + "”", options.protect && "password",
      options.sign && "signed"].filter(Boolean);
  }

  /* The input an error about `options.<path>` is about ("stamp.opacity", "protect.permissions[1]", "sign"). */
  function inputFor(path) {
    const [step, name] = path.replace(/\[\d+\]$/, "").split(".");
    if (step === "sign" && !name) return sign;
    if (step === "protect" && name === "permissions") return permissions()[0];
    return fields().find((input) => input.dataset.finishing === step + "." + name) || null;
  }

  /* Every control a change of which changes the options. */
  function inputs() {
    return [...fields(), ...permissions(), sign, signVisible].filter(Boolean);
  }

  // Showing the signature is a way of signing: ticking it ticks "Sign the PDF".
  if (sign) signVisible.addEventListener("change", () => { if (signVisible.checked) sign.checked = true; });

  return { read, summary, inputFor, inputs };
}
