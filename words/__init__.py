"""Every sentence a user reads, in English and 中文: the message catalog (`catalog`), the templates of the
interview, plan and results (`speak`) and the reports (`report`). Data in, text out: the figures come from `tools/`.
"""
