// The leadscore dashboard: reads GET /dashboard/data (the model and the warehouse marts'
// figures) and polls GET /dashboard/live (serving counters) without reloading the page.
// Chart.js (window.Chart) comes from the npm package served at /dashboard/chart.umd.min.js.
"use strict";

(function () {
  const params = new URLSearchParams(window.location.search);
  // ?refresh=<ms> changes the live polling interval (tests use a short one).
  const LIVE_MS = Math.max(250, Number(params.get("refresh")) || 2000);
  const DATA_MS = 30000;
  const LIVE_POINTS = 60;
  const COLORS = {
    blue: "#2f6fdf", green: "#1f9d6b", orange: "#e07b24", grey: "#9aa3b5", red: "#c8423b",
  };

  const $ = (id) => document.getElementById(id);
  const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const fmt = {
    count: (x) => integer.format(x),
    percent: (x) => (100 * x).toFixed(1) + "%",
    // Shares of high leads are often well under 1 %: two decimals keep them from reading 0.0 %.
    share: (x) => (100 * x).toFixed(2) + "%",
    score: (x) => x.toFixed(3),
  };

  function setKpi(id, text, raw) {
    const element = $(id);
    element.textContent = text;
    if (raw !== undefined && raw !== null) element.dataset.value = String(raw);
  }

  function showProblem(id, text) {
    const element = $(id);
    element.textContent = text || "";
    element.hidden = !text;
  }

  function fillTable(tableId, rows) {
    const body = $(tableId).querySelector("tbody");
    body.replaceChildren(...rows.map((cells) => {
      const tr = document.createElement("tr");
      for (const cell of cells) {
        const td = document.createElement("td");
        td.textContent = cell;
        tr.appendChild(td);
      }
      return tr;
    }));
  }

  const charts = {};
  // Creates the chart on first use, then updates it in place (no flicker on refresh).
  function drawChart(id, config) {
    if (charts[id]) {
      charts[id].data = config.data;
      charts[id].update("none");
      return;
    }
    config.options = Object.assign({
      responsive: true, maintainAspectRatio: false, animation: false,
    }, config.options || {});
    charts[id] = new window.Chart($(id), config);
  }

  function renderModel(model, problem) {
    showProblem("model-problem", model ? "" : "Model: " + problem);
    if (!model) return;
    setKpi("kpi-model-version", model.model_version, model.model_version);
    $("kpi-feature-set").textContent = "features: " + model.feature_set;
    const auc = model.metrics.auc;
    setKpi("kpi-test-auc", typeof auc === "number" ? auc.toFixed(3) : "–", auc);
    const oracle = model.metrics.auc_oracle;
    $("kpi-auc-note").textContent = typeof oracle === "number"
      ? "oracle " + oracle.toFixed(3) + " · chance 0.500" : "chance 0.500";
    setKpi("kpi-last-trained", model.trained_at, model.trained_at);
    $("kpi-threshold").textContent = String(model.threshold);

    const bins = model.reliability.filter((bin) => bin.count > 0);
    drawChart("chart-reliability", {
      type: "line",
      data: {
        datasets: [
          {
            label: "model", data: bins.map((b) => ({ x: b.mean_predicted, y: b.observed_rate })),
            borderColor: COLORS.blue, backgroundColor: COLORS.blue, pointRadius: 4,
          },
          {
            label: "perfectly calibrated", data: [{ x: 0, y: 0 }, { x: 1, y: 1 }],
            borderColor: COLORS.grey, borderDash: [5, 5], pointRadius: 0,
          },
        ],
      },
      options: {
        parsing: false,
        scales: {
          x: { type: "linear", min: 0, max: 1, title: { display: true, text: "mean score" } },
          y: { min: 0, max: 1, title: { display: true, text: "share won" } },
        },
      },
    });
  }

  function renderWarehouse(warehouse, problem, model) {
    showProblem("warehouse-problem", warehouse ? problem : "Warehouse figures: " + problem);
    if (!warehouse) return;
    const totals = warehouse.totals;
    setKpi("kpi-leads-scored", fmt.count(totals.scored_leads), totals.scored_leads);
    $("kpi-leads-scored-note").textContent = "of " + fmt.count(totals.leads) + " leads";
    setKpi("kpi-share-high", fmt.share(totals.high_share), totals.high_share);
    setKpi("kpi-mean-score", fmt.score(totals.mean_score), totals.mean_score);
    $("kpi-conversion-note").textContent = "won: " + fmt.percent(totals.conversion_rate);
    const stale = model && totals.model_version !== model.model_version;
    $("kpi-scored-with").textContent = "scores by version " + totals.model_version +
      (stale ? " (not the serving model: run scripts/score_warehouse)" : "");
    $("generated-at").textContent = "Warehouse figures of " + warehouse.generated_at + ".";

    const channels = warehouse.channel_attribution;
    drawChart("chart-channels", {
      type: "bar",
      data: {
        labels: channels.map((c) => c.channel),
        datasets: [
          { label: "leads", data: channels.map((c) => c.leads), backgroundColor: COLORS.grey, yAxisID: "y" },
          { label: "won", data: channels.map((c) => c.won), backgroundColor: COLORS.green, yAxisID: "y" },
          {
            label: "mean score", type: "line", data: channels.map((c) => c.mean_score),
            borderColor: COLORS.orange, backgroundColor: COLORS.orange, yAxisID: "score",
          },
        ],
      },
      options: {
        scales: {
          y: { type: "logarithmic", title: { display: true, text: "leads (log)" } },
          score: {
            position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
            title: { display: true, text: "mean score" },
          },
        },
      },
    });
    fillTable("channel-table", channels.map((c) => [
      c.channel, fmt.count(c.leads), fmt.count(c.won), fmt.percent(c.conversion_rate),
      fmt.percent(c.won_share), fmt.score(c.mean_score), fmt.share(c.high_share),
    ]));

    const funnel = warehouse.funnel;
    drawChart("chart-funnel", {
      type: "bar",
      data: {
        labels: funnel.map((s) => s.stage),
        datasets: [{ label: "count", data: funnel.map((s) => s.count), backgroundColor: COLORS.blue }],
      },
      options: {
        indexAxis: "y",
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, title: { display: true, text: "count" } } },
      },
    });
    fillTable("funnel-table", funnel.map((s) => [
      s.stage, fmt.count(s.count), fmt.percent(s.share_of_visitors), fmt.percent(s.step_rate),
    ]));

    const bins = warehouse.score_distribution;
    const threshold = model ? model.threshold : 0.8;
    drawChart("chart-scores", {
      type: "bar",
      data: {
        labels: bins.map((b) => b.lower_bound.toFixed(2)),
        datasets: [{
          label: "leads", data: bins.map((b) => b.leads),
          backgroundColor: bins.map((b) => (b.lower_bound >= threshold ? COLORS.orange : COLORS.blue)),
        }],
      },
      options: {
        plugins: { legend: { display: false } },
        scales: { x: { title: { display: true, text: "score (bin start)" } } },
      },
    });
  }

  async function getJson(path) {
    const response = await fetch(path, { cache: "no-store" });
    if (!response.ok) throw new Error(path + " answered " + response.status);
    return response.json();
  }

  async function refreshData() {
    try {
      const data = await getJson("/dashboard/data");
      renderModel(data.model, data.model_problem);
      renderWarehouse(data.warehouse, data.warehouse_problem, data.model);
      document.body.dataset.loaded = "true";
    } catch (error) {
      showProblem("warehouse-problem", "Cannot reach the server: " + error.message);
    }
  }

  // Live figures: rates and the recent p99 from the difference between two polls.
  let previous = null;
  const livePoints = [];
  function recentP99(bounds, now, before) {
    const counts = now.map((n, i) => n - (before ? before[i] : 0));
    const total = counts.reduce((a, b) => a + b, 0);
    if (total === 0) return null;
    const rank = 0.99 * total;
    let below = 0;
    for (let i = 0; i < bounds.length; i++) {
      if (counts[i] > 0 && below + counts[i] >= rank) {
        const lower = i === 0 ? 0 : bounds[i - 1];
        return lower + (bounds[i] - lower) * Math.min(1, (rank - below) / counts[i]);
      }
      below += counts[i];
    }
    return bounds[bounds.length - 1];
  }
  function latencyText(seconds) {
    return seconds < 1e-3 ? (seconds * 1e6).toFixed(0) + " µs" : (seconds * 1e3).toFixed(1) + " ms";
  }

  async function refreshLive() {
    try {
      const live = await getJson("/dashboard/live");
      setKpi("live-high", fmt.count(live.high_total), live.high_total);
      $("live-scored").textContent = "of " + fmt.count(live.scored_total) + " leads scored";
      if (previous) {
        const seconds = live.uptime_seconds - previous.uptime_seconds;
        const rate = seconds > 0 ? (live.score_requests_total - previous.score_requests_total) / seconds : 0;
        setKpi("live-rps", rate.toFixed(1), rate);
        livePoints.push(rate);
        if (livePoints.length > LIVE_POINTS) livePoints.shift();
        const p99 = recentP99(live.latency_bounds_seconds, live.score_latency_counts,
          previous.score_latency_counts);
        if (p99 !== null) {
          setKpi("live-p99", latencyText(p99), p99);
          $("live-p99-note").textContent = "last " + seconds.toFixed(0) + " s";
        } else if (live.score_p99_seconds !== null) {
          setKpi("live-p99", latencyText(live.score_p99_seconds), live.score_p99_seconds);
          $("live-p99-note").textContent = "since start (idle now)";
        } else {
          $("live-p99-note").textContent = "no scoring yet";
        }
        drawChart("chart-live", {
          type: "line",
          data: {
            labels: livePoints.map((_, i) => i),
            datasets: [{ label: "requests/s", data: livePoints.slice(), borderColor: COLORS.blue, pointRadius: 0, fill: false }],
          },
          options: { plugins: { legend: { display: false } }, scales: { x: { display: false }, y: { beginAtZero: true } } },
        });
      }
      previous = live;
      document.body.dataset.liveUpdates = String(Number(document.body.dataset.liveUpdates || 0) + 1);
    } catch (error) {
      setKpi("live-rps", "offline");
    }
  }

  $("live-interval").textContent = String(LIVE_MS / 1000);
  refreshData();
  refreshLive();
  window.setInterval(refreshLive, LIVE_MS);
  window.setInterval(refreshData, DATA_MS);
})();
