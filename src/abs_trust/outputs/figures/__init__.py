"""The figures, one module per figure, each holding what the figure shows and how it is drawn.

- :mod:`abs_trust.outputs.figures.style`: what they share (style, colours, the synthetic
  footer, label helpers, :func:`~abs_trust.outputs.figures.style.save_figure`);
- :mod:`abs_trust.outputs.figures.local_vs_ngo`: Figure 1, local-government against NGO trust;
- :mod:`abs_trust.outputs.figures.institution_trust`: the Table 4 shares as a dumbbell chart;
- :mod:`abs_trust.outputs.figures.correlation_by_country`: the correlation by country and wave.

Nothing is imported here, so importing one figure loads matplotlib and pandas but no more.
"""
