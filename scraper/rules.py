"""Site-agnostic cleaning rules, as data: tag lists, class/id vocabularies, compiled patterns.

Tuning the cleaner is editing these lists, not code. Nothing here names a site.
"""

from __future__ import annotations

import re

# fmt: off
# (the word lists and patterns below are laid out by hand, several words a line, to be read as lists)

# Elements that never carry article text; dropped with their content before scoring.
DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
    "button", "select", "input", "textarea", "option", "nav", "aside", "footer", "dialog", "menu",
    "form-placeholder", "video", "audio", "map", "link", "meta",
    "rt", "rp",  # ruby annotations: the readings printed over East Asian text, not the text itself
})
# Of those, the ones that an unclosed tag can wrap around the whole page: kept when they hold the article.
WRAPPING_TAGS = frozenset({"button", "select", "form-placeholder", "nav", "aside", "footer", "menu", "dialog", "noscript"})
# The landmarks the last resort before "no article found" keeps: where a page can set its only text.
LAYOUT_TAGS = frozenset({"aside", "header", "footer"})
# ARIA landmark roles of page furniture.
DROP_ROLES = frozenset({
    "navigation", "banner", "contentinfo", "complementary", "dialog", "alertdialog", "search", "menu",
    "menubar", "toolbar", "tablist", "alert", "marquee", "status", "tooltip",
})
# Class/id tokens (split on non-letters and camelCase) that mark page furniture. A token must match
# whole, so "comment" does not hit "commentary".
BOILERPLATE_TOKENS = frozenset({
    "share", "sharing", "sharebar", "social", "socials", "newsletter", "newsletters", "subscribe",
    "subscription", "signup", "related", "relateds", "promo", "promos", "promotion", "advert", "adverts",
    "advertisement", "ad", "ads", "adslot", "adunit", "dfp", "gpt", "sponsor", "sponsored", "cookie", "cookies",
    "consent", "gdpr", "comment", "comments", "disqus", "popup", "modal", "overlay", "breadcrumb",
    "breadcrumbs", "byline", "bylines", "tags", "tag", "taglist", "recommend", "recommended",
    "recommendations", "outbrain", "taboola", "sidebar", "masthead", "menu",
    "navbar", "nav", "navigation", "footer", "toolbar", "print", "pagination", "pager", "paywall",
    "register", "login", "author", "authors", "timestamp", "dateline", "caption", "credit", "credits",
    "copyright", "trending", "popular", "mostread", "most", "readmore", "more", "next", "prev",
    "previous", "skip", "offscreen", "srOnly", "visually", "visuallyhidden", "screenreader",
    "disclaimer", "rating", "ratings", "poll", "survey", "donate", "donation", "contribute", "contributions",
    "contribution", "app", "apps", "download",
    "follow", "email", "rss", "feed", "banner", "teaser", "teasers", "carousel",
    "slider", "ticker", "toc", "audio", "podcast", "lightbox",
    "meta", "metadata", "info", "label", "kicker", "eyebrow", "topics", "topic",
    "keywords", "category", "categories", "section", "breaking", "alert", "notification", "toast",
})
# Of those, the words that name a layout part rather than furniture ("section", "print", "more"): inside
# <article>/<main> a box so named that holds prose is article text. The others always mean furniture.
LAYOUT_TOKENS = frozenset({
    "section", "print", "topic", "topics", "more", "readmore", "info", "meta", "metadata", "label", "category",
    "categories", "kicker", "eyebrow", "banner", "carousel", "slider", "ticker", "toc", "lightbox", "keywords",
    "masthead", "skip", "offscreen", "toolbar", "breaking", "alert", "notification", "toast", "audio",
    "podcast", "overlay", "visually",
})
FURNITURE_ONLY_TOKENS = BOILERPLATE_TOKENS - LAYOUT_TOKENS
# Of those, the words that name a readers' discussion: its posts are prose, often each in an <article>,
# so that a box so named holds what looks like an article; it is pruned all the same.
THREAD_TOKENS = frozenset({"comment", "comments", "disqus"})
# Tokens that mark the article itself; an element with one of these is never dropped by token.
CONTENT_TOKENS = frozenset({
    "article", "articlebody", "body", "content", "entry", "story", "storybody", "post", "text", "main",
    "prose", "richtext", "rte", "paragraph", "paragraphs",
})
# Tokens that mark screen-reader-only copies of visible text (duplicate captions, labels).
SCREEN_READER_CLASSES = re.compile(
    r"(?:^|[\s_-])(?:sr-only|screen-reader(?:-only|-text)?|visually-?hidden|visuallyhidden|a11y-hidden|"
    r"assistive(?:-text)?|offscreen|hidden-visually|u-hidden|element-invisible)(?:$|\s)",
    re.I,
)
DISPLAY_NONE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)", re.I)
TOKEN_SPLIT = re.compile(r"[^a-zA-Z]+|(?<=[a-z])(?=[A-Z])")

# Block-level elements: each starts a new paragraph in the body.
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
    "dl", "dt", "dd", "blockquote", "pre", "table", "thead", "tbody", "tfoot", "tr", "figure",
    "figcaption", "hr", "address", "center", "body", "html", "details", "summary", "caption", "td", "th",
})

# Credits: "(AAP)", "Photo: Reuters", "Image: Getty Images", "Credit: ...", "Source: AFP".
CREDIT_LINE = re.compile(
    r"^(?:\(?\s*(?:photo|image|picture|pic|credit|source|foto|video|illustration|graphic)s?"
    r"(?:\s+credit)?\s*(?::|by|-)\s*[^()]{1,60}\)?|\(\s*[A-Z][\w.&/ -]{0,30}\))$",
    re.I,
)
PAREN_CREDIT = re.compile(r"\s*\(([A-Z][\w.&/ ,-]{0,40})\)\s*$")
CAPTION_CREDIT_SUFFIX = re.compile(
    r"\s*[.|]?\s*(?:\((?:photo|image|picture|credit|source)?:?\s*([^()]{1,50})\)"
    r"|(?:photo|image|picture|credit|source)\s*:\s*([^.]{1,50}))\s*$",
    re.I,
)
BYLINE = re.compile(
    r"^(?:by|written by|words by|story by|reporting by|von|par|por)\s+[\w.'’ -]{2,80}"
    r"(?:\s*(?:,|and|&|\|)\s*[\w.'’ -]{2,80})*$",
    re.I,
)
# Verbatim text: nothing inside is pruned for its class words (syntax highlighters class every token).
VERBATIM_TAGS = frozenset({"pre", "code"})
# A repeated line is a copy to drop (a caption twice, a block rendered twice), unless it has at most
# REPEAT_LABEL_MAX_WORDS words and more than REPEAT_NEAR_BLOCKS blocks since its last copy: a field label.
REPEAT_LABEL_MAX_WORDS = 15
REPEAT_NEAR_BLOCKS = 2
# A byline names people: past this many words a line opening "By ..." is a sentence ("By focusing on ...").
BYLINE_MAX_WORDS = 16
# Short lines that invite the reader elsewhere: promo, newsletter, app, follow, share, "read more".
PROMO_LINE = re.compile(
    r"^(?:(?:sign up|subscribe|register|join)\b.{0,80}(?:newsletter|updates|inbox|email|free|today|now)"
    r"|(?:download|get) (?:the|our) .{0,30}app\b|stay up to date with\b|follow us\b|follow .{0,40} on "
    r"(?:twitter|facebook|instagram|x|linkedin|tiktok|threads)\b|share (?:this|on)\b|(?:read|see) more\b"
    r"|related(?: articles| stories| coverage| content|:)|more (?:on this story|stories|from)\b"
    r"|click here\b|listen to (?:this|the) (?:article|story)\b|advert(?:isement)?$|sponsored content$"
    r"|this slideshow requires javascript|comments?$|subscribe$|you may also like\b|don.?t miss$"
    r"|more\b.{0,30}\bstories$|(?:filed|posted) (?:under|in)\b|tagged(?: with)?:|categor(?:y|ies):"
    r"|(?:estimated )?(?:reading|read) time\b|\d+\s*min(?:ute)?s?\.? read$|tempo de leitura\b|lesezeit\b"
    r"|temps de lecture\b|tiempo de lectura\b"
    r"|(?:copyright|©)\s|all rights reserved|this (?:article|story) (?:was|is) (?:first|originally) published"
    r"|we use cookies\b|to continue reading\b|you have \d+ free articles?\b|already a subscriber\b"
    r"|support (?:our|independent) journalism\b)",
    re.I,
)
# Sign-offs that close wire and magazine copy: credits for reporting and editing, author blurbs.
SIGN_OFF = re.compile(
    r"^\(?\s*(?:(?:additional |writing and )?reporting|writing|editing|compiled|research|translated|"
    r"produced|illustrations?|photography|graphics)(?: and \w+)? by\b"
    r"|\b(?:follow (?:him|her|them|us|me)\b.{0,60}\b(?:on|at) (?:twitter|facebook|instagram|x|linkedin|threads)\b"
    r"|(?:may|can) be reached at\b|is out now\b|(?:email|contact) (?:him|her|them|the author) at\b"
    r"|contributed (?:reporting|to this (?:report|story|article))\b)",
    re.I,
)
# Embedded social posts: quotations the article makes, though readability's vocabulary calls them unlikely.
EMBED_QUOTE_TOKENS = frozenset({"tweet", "twitter", "instagram", "tiktok", "bluesky", "mastodon", "threads"})
SPACES = re.compile(r"[ \t\r\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# A line that is mostly a date: a month name or a numeric date, with few other words around it.
DATELINE = re.compile(
    r"^(?:(?:published|updated|posted|last updated|first published|modified|date)\b:?\s*)?(?:on\s+)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+\d{4}"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}"
    r"|(?<=\s)(?=\d{1,2}[:.]\d{2}\s*[ap]\.?m\b))"  # "Updated at 1:23 p.m.": a time alone, after a label
    r"(?:\s*(?:,|at|-|\||·|/)?\s*\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,5})?)?\s*$",
    re.I,
)
# In any language, a short line holding a year and a clock time is a dateline: "22 de outubro de 2010 às 20:13".
YEAR_AND_TIME = re.compile(r"^(?=.*\b(?:19|20)\d{2}\b)(?=.*\b\d{1,2}[:h.]\d{2}\b)[^.!?]*$")

# Pruning and figures (prune.py).
# A box holding this many paragraphs of prose (PROSE_PARAGRAPH_CHARS each) holds an article: never pruned.
ARTICLE_PARAGRAPHS = 3
# A heading without links among the article's paragraphs is a subheading, whatever its class or id words
# (ids made from its own text: "section-price-and-availability"), when what follows it reads on: a figure,
# or text at most this share of which is links (a heading over a box of teasers is followed by links).
SUBHEADING_NEXT_LINK_SHARE = 0.5
# A content word in a box's name ("post", "article") protects it when it holds this many characters.
CONTENT_NAME_MIN_CHARS = 200
# Where lazy-loading pages keep an image's address, in the order they are trusted.
IMAGE_URL_ATTRIBUTES = ("data-src", "data-original", "data-lazy-src", "data-url", "src")
# Class words of the credit inside a figure ("Photo: AP").
CREDIT_TOKENS = frozenset({"credit", "credits", "copyright", "source", "attribution", "photographer", "byline"})
# Class words of a figure's buttons and links, which are not its caption ("Buy this photo", "Enlarge").
CAPTION_ACTION_TOKENS = frozenset({
    "purchase", "licensing", "license", "licence", "buy", "reprint", "reprints", "enlarge", "expand", "zoom",
    "fullscreen", "share", "download",
})
# Class words of a figure's caption.
CAPTION_TOKENS = frozenset({"caption", "figcaption", "description", "desc"})
# Class words of the page furniture an image may sit in (a related rail, a teaser card): not the article's.
FIGURE_FURNITURE_TOKENS = frozenset({
    "related", "promo", "teaser", "teasers", "card", "cards", "recommended", "trending", "popular",
    "sidebar", "widget", "footer", "header", "nav", "navigation", "menu", "ad", "ads", "advert", "sponsor",
})
# A <div> named like a photo box, with one image, a captioned child and less text than this, is a figure.
PHOTO_BOX_TOKENS = frozenset({"photo", "image", "img", "picture", "pic", "figure", "media"})
PHOTO_BOX_MAX_CHARS = 400
# A gallery's position counter glued before the caption: "1/4", "2 of 12".
GALLERY_COUNTER = re.compile(r"^\s*\d{1,3}\s*(?:/|of)\s*\d{1,3}(?!\d)\s*", re.I)
# A line right below a loose image, set entirely in these and at most LOOSE_CAPTION_MAX_WORDS long, is its
# caption; CAPTION_HOLDER_TAGS are the elements such a line comes in.
EMPHASIS_TAGS = frozenset({"em", "i", "small", "cite"})
CAPTION_HOLDER_TAGS = frozenset({"p", "div", "center", "span", "em", "i", "small"})
LOOSE_CAPTION_MAX_WORDS = 25

# Selectors (XPath) of the parts of a page that pruning, figures and the content picks look for.
# An inline element inside a paragraph that holds a picture and several links: a hover card, not text.
# (written "//span[...][ancestor::p]": libxml2 takes seconds on "//p//span[...]" with many paragraphs)
HOVER_CARDS = "//span[.//img and count(.//a) >= 2][not(.//span[.//img and count(.//a) >= 2])][ancestor::p]"
# Quotations with a class: embedded social posts among them are marked before pruning (EMBED_QUOTE_TOKENS).
EMBED_QUOTES = "//blockquote[@class]"
# What only the box around the article holds: its headline, landmarks, body property or embedded posts.
HOLDS_ARTICLE = (
    "boolean(.//h1 | .//article | .//main | .//*/@itemprop[. = 'articleBody']/.."
    " | .//blockquote[@class='embedded-quote'])"
)
# Tables of data (no layout inside): their rows become paragraphs so that scoring sees them.
DATA_TABLES = "//table[not(.//table) and not(.//p or .//div or .//ul or .//ol or .//img)]"
# On a huge page, the containers one of which is taken whole.
ARTICLE_CONTAINERS = "//*[@itemprop='articleBody'] | //article | //main | //body"
# The blocks whose text is prose for the prose pick (PROSE_MIN_CHARS long, PROSE_MAX_LINK_SHARE linked).
# A <div> of inline markup only is a paragraph too (text set with <br>: forums, older sites), weighed
# when PROSE_MIN_CHARS long.
PROSE_BLOCKS = (
    "//p | //pre | //li[not(.//p)] | //dd[not(.//p)] | //blockquote[not(.//p)]"
    " | //div[not(*[not(self::a or self::b or self::i or self::em or self::strong or self::span or self::br"
    " or self::small or self::sup or self::sub or self::u or self::abbr or self::mark or self::code)])][not(.//p)]"
)
# The blocks the text pick weighs at any length: the prose blocks, and headings and terms (TEXT_ONLY_TAGS).
TEXT_BLOCKS = PROSE_BLOCKS + " | //dt | //h2 | //h3 | //h4"
TEXT_ONLY_TAGS = frozenset({"dt", "h2", "h3", "h4"})
# Never a standfirst, wherever it stands: a form, or a figure and its caption (set aside with figures).
NOT_STANDFIRST_TAGS = frozenset({"form", "figure", "figcaption"})
# The standfirst is one of these after the <h1> ...
LEAD_TAGS = frozenset({"p", "div", "h2", "h3", "li"})
# ... and holds none of these (else it is a container of blocks, not one block of text).
LEAD_BLOCK_CHILDREN = frozenset({
    "p", "div", "ul", "ol", "table", "section", "article", "h1", "h2", "h3", "h4", "figure", "blockquote",
    "header", "br", "script", "style",
})
# Boxes with a name: where captions and credits are looked for by their class words.
# (a union of name tests, then one filter: libxml2 finds elements by name far faster than it tests each)
NAMED_BOXES = "(//div | //span | //p | //table)[@class or @id or @data-component]"
# A photo box (PHOTO_BOX_TOKENS in its name): one image, a captioned child, little text.
PHOTO_BOX = (
    f"count(.//img) = 1 and string-length(normalize-space(.)) < {PHOTO_BOX_MAX_CHARS}"
    " and .//*[contains(@class, 'caption')]"
)

# Cleaning the body, block by block (clean.py). Word counts are of the normalised text.
# A paragraph ending in one of these reads as a sentence, not a label ("Politics") or a byline.
SENTENCE_END = (".", "!", "?", "\"", "”", "’", "'", ":", ";", ")", "…", "。", "！", "？", "」", "』", "）")
# A dateline is a short line: past this many words a date inside is part of a sentence.
DATELINE_MAX_WORDS = 10
# A photo credit ("Photo: Reuters") is this short at most.
CREDIT_MAX_WORDS = 12
# A line this short that carries the copyright sign is a credit or rights line ("Foto © Jane Roe",
# "©2023 Jane Roe", "Source: X © Y Media"), in any language.
COPYRIGHT_SIGN = "\u00a9"
COPYRIGHT_MAX_WORDS = 15
# A promo line that links elsewhere ("Sign up for our newsletter ...") is at most this long ...
PROMO_LINKED_MAX_WORDS = 40
# ... and one without a link must start with the promo phrase and be this short.
PROMO_MAX_WORDS = 12
# A short line this much of which is links is navigation ("More: A | B | C"), not article text ...
LINK_LINE_SHARE = 0.8
# ... when it is at most this long.
LINK_LINE_MAX_WORDS = 25
# The head of the body (labels, bylines, datelines) ends at a block longer than this ...
HEAD_MAX_WORDS = 15
# ... or at a paragraph that is a sentence of more words than this.
HEAD_SENTENCE_WORDS = 8
# A section label on top of the body ("World", "Local news") is this short.
LABEL_MAX_WORDS = 3
# At the tail: a run of at least TAIL_LIST_MIN_ITEMS list items of at most TAIL_ITEM_MAX_WORDS words each
# is a link list (tags, "more in this section"), dropped with a lead-in line of up to TAIL_LIST_LEAD_MAX_WORDS.
TAIL_ITEM_MAX_WORDS = 3
TAIL_LIST_MIN_ITEMS = 3
TAIL_LIST_LEAD_MAX_WORDS = 10
# A last line of at most TAIL_LINK_MAX_WORDS words, more than TAIL_LINK_SHARE of it links, is navigation.
TAIL_LINK_MAX_WORDS = 6
TAIL_LINK_SHARE = 0.5
# Sign-offs, promos and author blurbs close the body; longer than these they are article paragraphs.
SIGN_OFF_MAX_WORDS = 80
TAIL_PROMO_MAX_WORDS = 60
TAIL_AUTHOR_MAX_WORDS = 25
# A closing paragraph that opens with the author's full name (from the page's metadata) is the author's
# biography ("Jane Roe is a senior reporter ..."), in any language, up to TAIL_BIO_MAX_WORDS words.
TAIL_BIO_MAX_WORDS = 120
# The biography closes the article: it and whatever follows it (a disclosure, a video teaser) go, when it
# stands among the last TAIL_BIO_WINDOW blocks.
TAIL_BIO_WINDOW = 8

# Main-content choice (content.py).
# Past this many paragraphs readability's scoring costs seconds, and a page this long is one text
# anyway: its article (or main, or body) element is taken as it is, pruned of furniture.
HUGE_PAGE_PARAGRAPHS = 3000
# A <p> this long, with no link over half of it, is never pruned for its class or id words.
PROSE_PARAGRAPH_CHARS = 80
# A paragraph of prose: at least this many characters (a sentence in any script) ...
PROSE_MIN_CHARS = 60
# ... with at most this share of them in links (a teaser or a link list is not prose).
PROSE_MAX_LINK_SHARE = 0.3
# The prose pick replaces readability's when its cleaned body is this many times longer: readability
# took a scrap of the article (one chunk of several, a teaser, a standfirst) or nothing.
PROSE_PICK_RATIO = 2.0
# readability's pick leaves out text between its paragraphs (boxes it did not join, headings and lists
# its cleaning dropped): the page's text from the pick's first paragraph of GAP_ANCHOR_WORDS words or more
# to its last goes back in, each left-out run (ended by a heading) unless more than GAP_MAX_LINK_SHARE of
# it is links; and not at all when that adds more than GAP_MAX_SHARE of the pick's length.
GAP_ANCHOR_WORDS = 8
GAP_MAX_SHARE = 1.0
GAP_MAX_LINK_SHARE = 0.3
# Readability's pick made mostly (this share of its characters) of table rows loses to a prose pick.
TABLE_BODY_SHARE = 0.5
# ... provided that the prose is not a scrap beside it (at least this share of the table pick's length):
# where the table is the article, the prose around it is a line or two.
TABLE_PROSE_MIN = 0.25
# The standfirst: prose paragraphs between the headline and the body's first paragraph, looked for among
# the first LEAD_SEARCH paragraphs after the <h1>; at most LEAD_MAX of them (the last ones) are taken.
LEAD_SEARCH = 6
LEAD_MAX = 2
# ... walking at most this many <p>, <div>, <h2> and <h3> after the <h1> (a standfirst sits close to its headline).
LEAD_WALK = 400
# A standfirst that is also the page's description is left to the description field, unless it is this
# long (characters): two sentences or more read as the article's first paragraph, not as its summary.
LEAD_PARAGRAPH_CHARS = 180

# A winning body shorter than this (characters) may be a scrap left by class names that cover the article
# ("section", "print", "ads" on the article's own box): the page is pruned again by tag, role and hidden
# state only, and its prose pick taken when PROSE_PICK_RATIO times longer.
RESCUE_BELOW = 1000
# The rescue also weighs headings and list items this long (a name in a list of nominees, a product).
RESCUE_BLOCK_MIN_CHARS = 3
# The class words the rescue pass still prunes by: names of parts that are never the article, whatever
# else a page calls its boxes (comments, related links, navigation, sharing, cookie notices).
RESCUE_TOKENS = frozenset({
    "comment", "comments", "disqus", "related", "relateds", "recommend", "recommended", "recommendations",
    "outbrain", "taboola", "menu", "navbar", "nav", "navigation", "breadcrumb", "breadcrumbs", "footer",
    "share", "sharing", "sharebar", "social", "socials", "cookie", "cookies", "consent", "gdpr",
})

# --- metadata: byline words (read by scraper/metadata/byline.py) ---------------------------------------
# "by" before an author's name, in the languages of the development pages (BYLINE above spells the same).
BYLINE_BY_WORDS = ("by", "von", "par", "por", "door", "di")
# Labels a byline may open with instead of "by" ("From Jane Roe", "Author: Jane Roe").
BYLINE_LABEL_WORDS = ("from", "author", "authors")
# What is credited before "by" ("Written by", "Reporting by", "Photos by"), as BYLINE's "written by".
BYLINE_CREDIT_WORDS = (
    "written",
    "words",
    "story",
    "text",
    "reporting",
    "reported",
    "posted",
    "published",
    "compiled",
    "photo",
    "photos",
    "report",
)
# "by" as author links also print it ("Articoli da Jane Roe", "Innlegg av Jane Roe", "Indlæg af Jane Roe").
AUTHOR_LINK_BY_WORDS = (*BYLINE_BY_WORDS, "da", "from", "av", "af")
# fmt: on
