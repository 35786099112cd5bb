"""The pre-visit brief (`ecoportal intake brief`): one consultation request, the rules of
data/limits.yml that apply to it and its street's published complaint history.

Apart from generator.intake on purpose: the intake service imports nothing of the site or the
statistics, while the brief reads both (the limits, the reference, the open data).
"""
