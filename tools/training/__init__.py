"""Making a cheaper model from the user's labels: distillation (a teacher labels, a local classifier learns)
and fine-tuning on an OpenAI-compatible endpoint.
"""
