"use strict";
// Draws every canvas whose data-chart attribute names a chart of the page's JSON data block, and sets
// its data-points attribute to the number of points it drew (data-series-points: per series, comma
// separated). A series has the chart's x values, or its own (a comparison's runs). Any error lands
// in #errors.
(function () {
  var errors = document.getElementById("errors");
  function fail(message) {
    errors.textContent += message + "\n";
    errors.hidden = false;
  }
  window.addEventListener("error", function (event) {
    fail("error: " + event.message);
  });
  var COLORS = [
    "#1f6fb4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"
  ];
  var finite = function (v) {
    return typeof v === "number" && isFinite(v);
  };

  // About `count` round-numbered ticks from lo to hi.
  function ticks(lo, hi, count) {
    var span = hi - lo;
    if (!(span > 0)) {
      return [lo];
    }
    var step = Math.pow(10, Math.floor(Math.log10(span / count)));
    var ratio = span / count / step;
    step *= ratio >= 7.5 ? 10 : ratio >= 3.5 ? 5 : ratio >= 1.5 ? 2 : 1;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
      out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    return out;
  }

  function label(v) {
    var a = Math.abs(v);
    if (a >= 1e6 || (a > 0 && a < 1e-3)) {
      return v.toExponential(1);
    }
    return String(+v.toPrecision(6));
  }

  function plot(canvas, chart) {
    var ratio = window.devicePixelRatio || 1;
    var width = canvas.clientWidth || 600;
    var height = canvas.clientHeight || 280;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    var g = canvas.getContext("2d");
    g.scale(ratio, ratio);
    var left = 72, right = 18, bottom = 46;
    g.font = "12px system-ui, sans-serif";
    // The legend: one entry per series, wrapped onto as many rows as it needs above the plot.
    var legend = [];
    var legendX = left, legendRow = 0;
    chart.series.forEach(function (s) {
      var entry = 16 + g.measureText(s.label).width + 18;
      if (legendX > left && legendX + entry > width - right) {
        legendX = left;
        legendRow++;
      }
      legend.push({ x: legendX, y: 15 + legendRow * 16 });
      legendX += entry;
    });
    var top = 30 + legendRow * 16;
    var bars = chart.kind === "bars";
    var barWidth = chart.barWidth || 0;
    var xmin = Infinity, xmax = -Infinity, ymax = 0;
    // A series may have x values of its own (a curve through a sweep's steps); else the chart's.
    chart.series.forEach(function (s) {
      var sx = s.x || chart.x;
      for (var i = 0; i < sx.length; i++) {
        if (finite(sx[i])) {
          xmin = Math.min(xmin, sx[i]);
          xmax = Math.max(xmax, sx[i] + (bars ? barWidth : 0));
        }
      }
      s.y.forEach(function (v) {
        if (finite(v)) {
          ymax = Math.max(ymax, v);
        }
      });
    });
    (chart.markers || []).forEach(function (m) {
      xmin = Math.min(xmin, m.x);
      xmax = Math.max(xmax, m.x);
    });
    if (!(xmax > xmin)) {
      xmin = finite(xmin) ? xmin - 1 : 0;
      xmax = xmin + 2;
    }
    if (!(ymax > 0)) {
      ymax = 1;
    }
    var yTicks = ticks(0, ymax, 5);
    ymax = Math.max(ymax, yTicks[yTicks.length - 1]);
    var px = function (v) {
      return left + ((v - xmin) / (xmax - xmin)) * (width - left - right);
    };
    var py = function (v) {
      return height - bottom - (v / ymax) * (height - top - bottom);
    };
    g.lineWidth = 1;
    g.strokeStyle = "#e3e6ea";
    g.fillStyle = "#333";
    g.textAlign = "right";
    g.textBaseline = "middle";
    yTicks.forEach(function (t) {
      g.beginPath();
      g.moveTo(left, py(t));
      g.lineTo(width - right, py(t));
      g.stroke();
      g.fillText(label(t), left - 6, py(t));
    });
    g.textAlign = "center";
    g.textBaseline = "top";
    ticks(xmin, xmax, Math.max(2, Math.floor((width - left - right) / 90))).forEach(function (t) {
      g.fillText(label(t), px(t), height - bottom + 6);
    });
    g.strokeStyle = "#888";
    g.beginPath();
    g.moveTo(left, top);
    g.lineTo(left, height - bottom);
    g.lineTo(width - right, height - bottom);
    g.stroke();
    g.fillText(chart.xLabel, left + (width - left - right) / 2, height - 18);
    g.save();
    g.translate(14, top + (height - top - bottom) / 2);
    g.rotate(-Math.PI / 2);
    g.textBaseline = "middle";
    g.fillText(chart.yLabel, 0, 0);
    g.restore();

    var drawn = 0;
    var perSeries = [];
    chart.series.forEach(function (s, k) {
      var color = s.color || COLORS[k % COLORS.length];
      var x = s.x || chart.x;
      var y = s.y;
      var before = drawn;
      g.strokeStyle = color;
      g.fillStyle = color;
      g.lineWidth = 1.6;
      if (bars) {
        for (var i = 0; i < y.length; i++) {
          if (finite(y[i])) {
            var x0 = px(x[i]);
            g.fillRect(x0, py(y[i]), Math.max(1, px(x[i] + barWidth) - x0 - 1), py(0) - py(y[i]));
            drawn++;
          }
        }
      } else {
        g.beginPath();
        var pen = false;
        for (var j = 0; j < y.length; j++) {
          if (!finite(y[j])) {
            pen = false;
            continue;
          }
          if (pen) {
            g.lineTo(px(x[j]), py(y[j]));
          } else {
            g.moveTo(px(x[j]), py(y[j]));
          }
          pen = true;
          drawn++;
        }
        g.stroke();
        for (var n = 0; n < y.length; n++) {
          // A point with no neighbour draws no line: a dot shows it; a series of points shows
          // every one.
          if (finite(y[n]) && (s.points || (!finite(y[n - 1]) && !finite(y[n + 1])))) {
            g.beginPath();
            g.arc(px(x[n]), py(y[n]), 2.2, 0, 2 * Math.PI);
            g.fill();
          }
        }
      }
      g.fillRect(legend[k].x, legend[k].y - 6, 12, 12);
      g.fillStyle = "#333";
      g.textAlign = "left";
      g.textBaseline = "middle";
      g.fillText(s.label, legend[k].x + 16, legend[k].y);
      perSeries.push(drawn - before);
    });

    g.setLineDash([4, 3]);
    g.lineWidth = 1;
    g.textAlign = "left";
    g.textBaseline = "top";
    (chart.markers || []).forEach(function (m, k) {
      g.strokeStyle = "#555";
      g.beginPath();
      g.moveTo(px(m.x), top);
      g.lineTo(px(m.x), height - bottom);
      g.stroke();
      // The label sits right of its line, or left of it where it would leave the plot; on a
      // light box, so bars and lines beneath do not hide it.
      var textWidth = g.measureText(m.label).width;
      var at = px(m.x) + 4 + textWidth > width - right ? px(m.x) - 4 - textWidth : px(m.x) + 4;
      var line = top + 2 + (k % 4) * 14;
      g.fillStyle = "rgba(255, 255, 255, 0.85)";
      g.fillRect(at - 2, line - 1, textWidth + 4, 14);
      g.fillStyle = "#444";
      g.fillText(m.label, at, line);
    });
    g.setLineDash([]);
    canvas.setAttribute("data-points", String(drawn));
    canvas.setAttribute("data-series-points", perSeries.join(","));
  }

  var data = JSON.parse(document.getElementById("report-data").textContent);
  var canvases = document.querySelectorAll("canvas[data-chart]");
  var done = 0;
  for (var c = 0; c < canvases.length; c++) {
    var id = canvases[c].getAttribute("data-chart");
    try {
      if (!data.charts[id]) {
        throw new Error("no data");
      }
      plot(canvases[c], data.charts[id]);
      done++;
    } catch (e) {
      fail("chart " + id + ": " + e);
    }
  }
  document.body.setAttribute("data-charts-drawn", String(done));
})();
