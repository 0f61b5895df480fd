"""From item results to a decision: metrics with intervals, what errors cost, paired comparisons, cascades,
and the verdicts and recommendation against the user's targets.
"""
