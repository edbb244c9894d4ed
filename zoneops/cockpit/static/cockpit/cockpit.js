// The cockpit's panels arrive one by one (htmx); each chart in a panel is drawn once it has
// settled, with the Chart.js that unfold ships. Colours may be CSS variables of the theme.
(function () {
  function colour(value) {
    if (typeof value !== "string" || !value.startsWith("var(")) return value;
    var name = value.slice(4, -1);
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }
  function draw(root) {
    root.querySelectorAll("canvas.zo-chart:not([data-drawn])").forEach(function (canvas) {
      var data = JSON.parse(canvas.dataset.value);
      data.datasets.forEach(function (set) {
        set.backgroundColor = colour(set.backgroundColor);
        set.borderColor = colour(set.borderColor);
      });
      canvas.dataset.drawn = "1";
      var stacked = data.datasets.some(function (set) { return set.stack; });
      new Chart(canvas.getContext("2d"), {
        type: canvas.dataset.type || "bar",
        data: data,
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          plugins: { legend: { display: data.datasets.length > 1, position: "bottom" } },
          scales: { x: { stacked: stacked }, y: { stacked: stacked, beginAtZero: true } },
        },
      });
    });
  }
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
