// The leadscore dashboard: reads GET /dashboard/data (the model and the warehouse marts'
// figures, realized accuracy included) and polls GET /dashboard/live (serving counters) and
// GET /model/drift (PSI per feature) without reloading the page.
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
    // AUCs, PSI and Brier may be null (too few rows, or nothing scored): shown as a dash.
    auc: (x) => (typeof x === "number" ? x.toFixed(3) : "–"),
    brier: (x) => (typeof x === "number" ? x.toFixed(4) : "–"),
    signed: (x) => (typeof x === "number" ? (x > 0 ? "+" : "") + x.toFixed(3) : "–"),
    rate: (x) => (typeof x === "number" ? (100 * x).toFixed(1) + "%" : "–"),
  };
  // One colour per model version, in the order the export lists them.
  const VERSION_COLORS = [COLORS.blue, COLORS.orange, COLORS.green, COLORS.red, COLORS.grey];

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
        // A cell is its text, or {text, className} when it carries a status colour.
        const td = document.createElement("td");
        td.textContent = typeof cell === "object" ? cell.text : cell;
        if (typeof cell === "object" && cell.className) td.className = cell.className;
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
    renderRealized(warehouse);
    renderGrades(warehouse);

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

  // "Is the model still right?": the realized-accuracy marts (models/monitoring/, exported by
  // scripts/build_dashboard). An export written before those marts existed has none of the
  // three sections: the panel says what to run instead of showing zeros.
  function verdict(row) {
    if (row.is_below_promise) return { text: "below promise", className: "alert" };
    if (row.resolved < row.min_resolved) {
      return { text: "too few resolved (< " + row.min_resolved + ")", className: "" };
    }
    if (row.realized_auc === null) return { text: "one outcome only", className: "" };
    // Rescore records carry no test AUC: nothing to hold the realized one against.
    if (row.promised_auc === null) return { text: "no promise recorded", className: "" };
    return { text: "keeps promise", className: "" };
  }

  function renderRealized(warehouse) {
    const byModel = warehouse.realized_accuracy_by_model;
    const weeks = warehouse.realized_accuracy;
    const calibration = warehouse.calibration;
    const empty = $("realized-empty");
    if (!Array.isArray(byModel) || !Array.isArray(weeks) || !Array.isArray(calibration)) {
      empty.textContent = "No realized-accuracy figures in this export: rebuild it with " +
        "scripts/build_dashboard.";
      empty.hidden = false;
      return;
    }
    empty.textContent = byModel.length === 0
      ? "No resolved predictions yet: a score counts once its lead won, or its horizon " +
        "passed, after it was scored (docs/monitoring.md)." : "";
    empty.hidden = byModel.length > 0;

    fillTable("realized-model-table", byModel.map((m) => [
      m.model_version, fmt.count(m.resolved), fmt.count(m.won), fmt.auc(m.promised_auc),
      fmt.auc(m.realized_auc), fmt.signed(m.auc_shortfall), fmt.brier(m.brier),
      fmt.rate(m.precision_grade_a), verdict(m),
    ]));
    $("realized-weeks").textContent = String(weeks.length);
    fillTable("realized-week-table", weeks.map((w) => [
      w.scored_week, w.model_version, fmt.count(w.resolved), fmt.count(w.won),
      fmt.auc(w.promised_auc), fmt.auc(w.realized_auc), fmt.brier(w.brier),
      fmt.rate(w.precision_grade_a),
    ]));

    const labels = [...new Set(weeks.map((w) => w.scored_week))].sort();
    const datasets = [];
    byModel.forEach((model, index) => {
      const color = VERSION_COLORS[index % VERSION_COLORS.length];
      const of = new Map(weeks.filter((w) => w.model_version === model.model_version)
        .map((w) => [w.scored_week, w.realized_auc]));
      datasets.push({
        label: "realized " + model.model_version, data: labels.map((l) => of.get(l) ?? null),
        borderColor: color, backgroundColor: color, pointRadius: 2, spanGaps: false,
      });
      datasets.push({
        label: "promised " + model.model_version,
        data: labels.map(() => model.promised_auc ?? null),
        borderColor: color, borderDash: [6, 4], pointRadius: 0,
      });
    });
    drawChart("chart-realized-auc", {
      type: "line",
      data: { labels, datasets },
      options: {
        scales: {
          x: { title: { display: true, text: "week of scoring" } },
          y: { min: 0, max: 1, title: { display: true, text: "AUC (0.5 = chance)" } },
        },
      },
    });

    const versions = [...new Set(calibration.map((c) => c.model_version))];
    drawChart("chart-calibration", {
      type: "line",
      data: {
        datasets: versions.map((version, index) => {
          const color = VERSION_COLORS[index % VERSION_COLORS.length];
          return {
            label: version,
            data: calibration.filter((c) => c.model_version === version)
              .map((c) => ({ x: c.predicted, y: c.observed })),
            borderColor: color, backgroundColor: color, pointRadius: 3,
          };
        }).concat([{
          label: "perfectly calibrated", data: [{ x: 0, y: 0 }, { x: 1, y: 1 }],
          borderColor: COLORS.grey, borderDash: [5, 5], pointRadius: 0,
        }]),
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

  // "Grades and movers": the rescore history's marts (models/dashboards/mart_grade_counts,
  // mart_grade_conversion, mart_top_movers, mart_lead_score_history; docs/dashboards.md).
  // An export older than them has none of the sections; an empty history says what to run.
  const GRADE_COLORS = { A: COLORS.green, B: COLORS.blue, C: COLORS.orange, D: COLORS.grey,
    ungraded: COLORS.red };
  const GRADE_ORDER = ["A", "B", "C", "D", "ungraded"];
  let historyRows = [];

  function reasonsText(reasons) {
    if (!Array.isArray(reasons) || reasons.length === 0) return "–";
    return reasons.map((r) => r.feature + " = " + r.value + " (" + r.direction + ")").join(", ");
  }

  function moverRows(movers, tableId) {
    fillTable(tableId, movers.map((m) => [
      m.lead_id, fmt.score(m.score_from) + " → " + fmt.score(m.score_to), fmt.signed(m.score_change),
      (m.grade_from || "–") + " → " + (m.grade_to || "–"),
      { text: reasonsText(m.reasons), className: "reasons" },
    ]));
    // A click on a mover shows its history below.
    $(tableId).querySelectorAll("tbody tr").forEach((tr, index) => {
      tr.className = "pickable";
      tr.addEventListener("click", () => showLeadHistory(movers[index].lead_id));
    });
  }

  function renderGrades(warehouse) {
    const counts = warehouse.grade_counts;
    const conversion = warehouse.grade_conversion;
    const movers = warehouse.top_movers;
    const empty = $("grades-empty");
    if (![counts, conversion, movers, warehouse.score_history].every(Array.isArray)) {
      empty.textContent = "No grades in this export: rebuild it with scripts/build_dashboard.";
      empty.hidden = false;
      return;
    }
    empty.textContent = counts.length === 0
      ? "No rescore yet: run scripts/rescore, then scripts/build_dashboard." : "";
    empty.hidden = counts.length > 0;
    $("grades-day").textContent = counts.length ? "on " + counts[0].scored_on : "";

    const byGrade = (rows) => new Map(rows.map((row) => [row.grade, row]));
    const today = byGrade(counts);
    const history = byGrade(conversion);
    const grades = GRADE_ORDER.filter((g) => today.has(g) || history.has(g));
    fillTable("grade-table", grades.map((grade) => {
      const t = today.get(grade);
      const h = history.get(grade);
      return [
        grade, t ? fmt.count(t.leads) : "0", t ? fmt.percent(t.share_of_leads) : "–",
        t ? fmt.score(t.mean_score) : "–", t ? fmt.count(t.alerts) : "0",
        h ? fmt.count(h.leads) : "0", h ? fmt.count(h.resolved_leads) : "0",
        h ? fmt.count(h.won) : "0", h ? fmt.rate(h.conversion_rate) : "–",
      ];
    }));
    drawChart("chart-grades", {
      type: "bar",
      data: {
        labels: grades,
        datasets: [{
          label: "open leads", data: grades.map((g) => (today.get(g) ? today.get(g).leads : 0)),
          backgroundColor: grades.map((g) => GRADE_COLORS[g]),
        }],
      },
      options: {
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, title: { display: true, text: "open leads" } } },
      },
    });

    for (const period of ["day", "week"]) {
      const rows = movers.filter((m) => m.period === period);
      moverRows(rows, "movers-" + period + "-table");
      $("movers-" + period + "-note").textContent = rows.length
        ? "" : "none yet: needs a rescore " + (period === "day" ? "the day" : "in the week") + " before";
    }

    historyRows = warehouse.score_history;
    const picker = $("lead-picker");
    const leads = [...new Set(historyRows.map((row) => row.lead_id))];
    const chosen = picker.value && leads.includes(picker.value) ? picker.value
      : (movers.length ? movers[0].lead_id : leads[0]);
    picker.replaceChildren(...leads.map((lead) => {
      const option = document.createElement("option");
      const last = historyRows.filter((row) => row.lead_id === lead).pop();
      option.value = lead;
      option.textContent = lead + " (" + (last.grade || "–") + ", " + fmt.score(last.score) + ")";
      return option;
    }));
    if (!picker.dataset.bound) {
      picker.addEventListener("change", () => showLeadHistory(picker.value));
      picker.dataset.bound = "true";
    }
    if (chosen !== undefined) showLeadHistory(chosen);
  }

  function showLeadHistory(lead) {
    const picker = $("lead-picker");
    picker.value = lead;
    const rows = historyRows.filter((row) => row.lead_id === lead);
    fillTable("lead-history-table", rows.map((row) => [
      row.scored_on, fmt.score(row.score), row.grade || "–", row.trend, fmt.signed(row.score_change),
    ]));
    const cuts = (gradeCuts || []).filter((cut) => cut.grade !== "D");
    drawChart("chart-lead-history", {
      type: "line",
      data: {
        labels: rows.map((row) => row.scored_on),
        datasets: [{
          label: lead, data: rows.map((row) => row.score), borderColor: COLORS.blue,
          pointRadius: 5, pointBackgroundColor: rows.map((row) => GRADE_COLORS[row.grade || "ungraded"]),
        }].concat(cuts.map((cut) => ({
          label: cut.grade + " from " + fmt.score(cut.min_score), data: rows.map(() => cut.min_score),
          borderColor: GRADE_COLORS[cut.grade], borderDash: [6, 4], pointRadius: 0, borderWidth: 1,
        }))),
      },
      options: {
        plugins: {
          tooltip: {
            callbacks: {
              afterLabel: (item) => (item.datasetIndex === 0
                ? "grade " + (rows[item.dataIndex].grade || "–") : ""),
            },
          },
        },
        scales: { y: { min: 0, max: 1, title: { display: true, text: "score" } } },
      },
    });
    document.body.dataset.historyLead = lead;
  }

  // The served model's grade cut points (GET /model), drawn in the lead's history.
  let gradeCuts = null;
  function renderGradeCuts(info) {
    gradeCuts = info && Array.isArray(info.grades) ? info.grades : null;
    $("grade-cuts").textContent = gradeCuts
      ? "Serving model " + info.model_version + ": " + gradeCuts.filter((c) => c.grade !== "D")
        .map((c) => c.grade + " from " + fmt.score(c.min_score)).join(", ") + ", D below; alerts: " +
        info.alert.rule.replace("threshold", fmt.score(info.alert.threshold)) + "."
      : "";
  }

  // Drift per feature from the serving model's window (GET /model/drift), polled with the
  // live figures: PSI bars coloured by status, the watch and alert thresholds as lines.
  const STATUS_COLORS = { ok: COLORS.green, watch: COLORS.orange, alert: COLORS.red };
  function largestShift(histogram) {
    const top = (histogram.top_shifts || [])[0];
    if (!top) return "–";
    return top.label + ": " + fmt.percent(top.reference) + " → " + fmt.percent(top.live);
  }

  async function refreshDrift() {
    const response = await fetch("/model/drift", { cache: "no-store" });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      showProblem("drift-problem", "Drift: " + (body.detail || "answered " + response.status));
      return;
    }
    showProblem("drift-problem", "");
    const rows = body.features.concat([body.score]);
    $("drift-note").textContent = "model " + body.model_version + ", " + fmt.count(body.leads) +
      " leads scored in the last " + fmt.count(body.window_seconds) + " s · watch above " +
      body.thresholds.watch + ", alert above " + body.thresholds.alert;
    $("drift-note").dataset.leads = String(body.leads);
    fillTable("drift-table", rows.map((h) => [
      h.name, fmt.auc(h.psi), { text: h.status, className: h.status }, largestShift(h),
    ]));
    const labels = rows.map((h) => h.name);
    const line = (label, value, color) => ({
      type: "line", label, data: labels.map(() => value), borderColor: color,
      borderDash: [6, 4], pointRadius: 0, borderWidth: 2,
    });
    drawChart("chart-drift", {
      type: "bar",
      data: {
        labels,
        datasets: [
          {
            label: "PSI", data: rows.map((h) => h.psi),
            backgroundColor: rows.map((h) => STATUS_COLORS[h.status] || COLORS.grey),
          },
          line("watch " + body.thresholds.watch, body.thresholds.watch, COLORS.orange),
          line("alert " + body.thresholds.alert, body.thresholds.alert, COLORS.red),
        ],
      },
      // Logarithmic: a shift of PSI 5 and the thresholds at 0.1 and 0.2 stay readable together.
      options: {
        scales: {
          y: { type: "logarithmic", min: 0.001, title: { display: true, text: "PSI (log)" } },
        },
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
      // /model answers 503 while no model is loaded: then there are no cut points to draw.
      renderGradeCuts(await getJson("/model").catch(() => null));
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
      await refreshDrift();
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
