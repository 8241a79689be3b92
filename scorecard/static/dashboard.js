/* 数据看板: draws every chart of the page with the vendored ECharts from the JSON block
   #dashboard-data ({"charts": [{id, title, categories, series, stack, horizontal, inverse,
   colors, signColors, valueName}]}). Each chart's numbers are also in the table behind it. */
(function () {
  "use strict";

  var FONT = '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", ' +
             '"WenQuanYi Micro Hei", sans-serif';
  var PALETTE = ["#1565c0", "#b71c1c", "#00838f", "#f9a825", "#6a1b9a", "#2e7d32", "#6d4c41", "#546e7a"];
  var UP = "#2e7d32", DOWN = "#c62828";
  var charts = [];

  function readData() {
    var el = document.getElementById("dashboard-data");
    return el ? JSON.parse(el.textContent) : { charts: [] };
  }

  function isEmpty(spec) {
    return !spec.categories.length || spec.series.every(function (s) {
      return s.data.every(function (v) { return v === null || v === 0; });
    });
  }

  function seriesOf(spec) {
    return spec.series.map(function (s) {
      var out = { name: s.name, type: "bar", data: s.data, barMaxWidth: 36,
                  emphasis: { focus: "series" } };
      if (spec.stack) { out.stack = "total"; }
      if (spec.signColors) {
        out.data = s.data.map(function (v) {
          return { value: v, itemStyle: { color: v < 0 ? DOWN : UP } };
        });
      }
      if (!spec.stack && spec.series.length === 1) {
        out.label = { show: true, position: spec.horizontal ? "right" : "top", fontFamily: FONT };
      }
      return out;
    });
  }

  function option(spec) {
    var categoryAxis = { type: "category", data: spec.categories, inverse: !!spec.inverse,
                         axisLabel: { interval: 0, hideOverlap: !spec.horizontal, width: spec.horizontal ? 220 : 90,
                                      overflow: "truncate", fontFamily: FONT } };
    var valueAxis = { type: "value", name: spec.valueName || "", minInterval: 1,
                      axisLabel: { fontFamily: FONT } };
    if (spec.valueName === "%" || spec.valueName === "分") { delete valueAxis.minInterval; }
    var opt = {
      animation: false,
      textStyle: { fontFamily: FONT },
      color: spec.colors && spec.colors.length ? spec.colors : PALETTE,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, textStyle: { fontFamily: FONT } },
      grid: { left: 12, right: 36, top: spec.series.length > 1 ? 40 : 24, bottom: 12, containLabel: true },
      xAxis: spec.horizontal ? valueAxis : categoryAxis,
      yAxis: spec.horizontal ? categoryAxis : valueAxis,
      series: seriesOf(spec)
    };
    if (spec.series.length > 1) {
      opt.legend = { top: 0, textStyle: { fontFamily: FONT } };
    }
    if (isEmpty(spec)) {
      opt.title = { text: "暂无数据", left: "center", top: "middle",
                    textStyle: { color: "#888", fontSize: 14, fontWeight: "normal", fontFamily: FONT } };
    }
    return opt;
  }

  function draw(spec) {
    var el = document.querySelector('[data-chart="' + spec.id + '"]');
    if (!el) { return; }
    if (spec.horizontal) {  // one row per category, so long lists stay readable
      el.style.height = Math.max(220, 26 * spec.categories.length + 70) + "px";
    }
    var chart = window.echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(option(spec));
    el.setAttribute("data-rendered", "1");
    charts.push(chart);
  }

  function start() {
    if (!window.echarts) { return; }
    readData().charts.forEach(draw);
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
