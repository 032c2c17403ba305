// The scoring grid's live weighted total (Σ weight·score / Σ weight), as the server
// computes it on saving. Progressive: without it, the total shows after saving.
const form = document.getElementById("score-grid");
if (form) {
  const output = document.getElementById("grid-total");
  const scale = Number(form.dataset.scale);
  const inputs = [...form.querySelectorAll("input[data-weight]")];
  const update = () => {
    let sum = 0;
    let weights = 0;
    for (const input of inputs) {
      const text = input.value.trim().replace(",", ".");
      const value = Number(text);
      if (text === "" || Number.isNaN(value) || value < 0 || value > scale) {
        output.textContent = "–";
        return;
      }
      const weight = Number(input.dataset.weight);
      sum += weight * value;
      weights += weight;
    }
    output.textContent = weights ? (sum / weights).toFixed(2).replace(".", ",") : "–";
  };
  form.addEventListener("input", update);
  update();
}
