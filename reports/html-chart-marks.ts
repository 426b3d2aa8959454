/**
 * What the per-second charts draw under their series (the HTML report's, html-timeline.ts, and the
 * live dashboard's, cli/dashboard-page.ts): fault phases as shaded bands named at their top, and
 * circuit-breaker transitions as dashed vertical lines coloured by the state entered. Browser code,
 * as text: a function `pushsimChartMarks(data, target)` that returns uPlot's drawClear hook, reading
 * `data().phases` and `data().breaker` (seconds on the x scale) each time it draws. How many of each
 * it drew is left on `target` (data-phases-drawn, data-breaker-marks) for the browser tests.
 */
export const chartMarksScript = `function pushsimChartMarks(data, target) {
  var breakerColors = { open: '#c0392b', 'half-open': '#c77700', closed: '#1b7f3b' };
  return function (u) {
    var ctx = u.ctx, top = u.bbox.top, height = u.bbox.height, px = window.devicePixelRatio || 1;
    var phases = 0, marks = 0;
    ctx.save();
    ctx.font = (11 * px) + 'px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    (data().phases || []).forEach(function (p, i) {
      var x0 = u.valToPos(p.start, 'x', true), x1 = u.valToPos(p.end, 'x', true);
      if (!(x1 > x0)) return;
      ctx.fillStyle = i % 2 === 0 ? 'rgba(211, 84, 0, 0.10)' : 'rgba(142, 68, 173, 0.10)';
      ctx.fillRect(x0, top, x1 - x0, height);
      ctx.fillStyle = '#6e2c00';
      ctx.fillText(p.name, x0 + 3 * px, top + 3 * px, Math.max(0, x1 - x0 - 6 * px));
      phases++;
    });
    (data().breaker || []).forEach(function (b) {
      var x = u.valToPos(b.at, 'x', true);
      ctx.strokeStyle = breakerColors[b.to] || '#566573';
      ctx.lineWidth = 2 * px;
      ctx.setLineDash([6 * px, 3 * px]);
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
      marks++;
    });
    ctx.restore();
    target.setAttribute('data-phases-drawn', String(phases));
    target.setAttribute('data-breaker-marks', String(marks));
  };
}`;
