"""Generic signals of page furniture and of article bodies.

Nothing here names a site: these are the class/id words and visible phrases
that content-management systems and themes in many languages use for the same
furniture (comment forms, share bars, related teasers, newsletter and cookie
boxes, ad slots, author bios, tag lists).
"""

from __future__ import annotations

import re

# Tags never part of readable text.
DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "canvas",
        "iframe",
        "object",
        "embed",
        "button",
        "input",
        "select",
        "textarea",
        "option",
        "link",
        "meta",
        "head",
        "title",
        "map",
        "audio",
        "video",
        "source",
        "track",
        "picture",
        "dialog",
        "math",
    }
)
# Page furniture by its element name (an <article> body rarely contains these).
FURNITURE_TAGS = frozenset({"nav", "aside", "footer", "menu"})

BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "body",
        "blockquote",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "table",
        "tr",
        "td",
        "th",
        "tbody",
        "thead",
        "tfoot",
        "figure",
        "figcaption",
        "header",
        "footer",
        "form",
        "address",
        "hr",
        "center",
        "details",
        "summary",
        "caption",
        "fieldset",
        "br",
        "nav",
        "aside",
        "hgroup",
        "legend",
    }
)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

# Class/id words of furniture. Matched against "class id" lowercased.
NEGATIVE = re.compile(
    r"comment(?!ary)|disqus|respond|reply|share|sharing|social|sociable|addthis|shariff|"
    r"related|recommend|more-?like|read-?more|readmore|read-?next|also-?read|you-?may|"
    r"popular|trending|most-?read|teaser|outbrain|taboola|newsletter|subscribe|signup|"
    r"sign-up|optin|opt-in|cookie|consent|gdpr|banner|promo(?!ted)|sponsor|advert|\bads?\b|"
    r"ad-|-ad\b|_ad\b|\bad_|adslot|ad-?slot|dfp|google-?ad|widget|sidebar|side-?bar|"
    r"breadcrumb|pagination|pager|paging|\bnav|menu|masthead|footer|\bfoot\b|"
    r"header|\btags?\b|tag-?list|tagcloud|post-?tags|keywords|author-?bio|"
    r"about-?the-?author|author-?box|authorbox|bio-?box|byline|meta-?data|entry-?meta|"
    r"post-?meta|article-?meta|popup|modal|overlay|lightbox|toolbar|print|skip|"
    r"jump|rating|vote|survey|poll|donate|donation|membership|paywall|login|"
    r"register|sr-only|screen-?reader|visually-?hidden|offscreen|"
    r"gallery-?nav|carousel|slider|swiper|ticker|rss|feed|follow|contact-?form|wpcf7|"
    r"caption|credit|copyright|disclaimer|legal|footnote-?nav|storylink|"
    r"inline-?link|embed-?link|external-?link",
    re.I,
)

POSITIVE = re.compile(
    r"article|\bbody\b|-body|body-|content|entry|\bmain\b|\bpost\b|post-?text|"
    r"story|\btext\b|text-|prose|rich-?text|blog|news|single|hentry|page-?content",
    re.I,
)
# Containers that almost always are the article body (highest prior).
BODY_HINT = re.compile(
    r"article-?body|articlebody|article__body|article-?content|article__content|"
    r"article-?text|articletext|entry-?content|post-?content|post-?body|post__content|"
    r"post-?entry|story-?body|storybody|story-?content|story__body|story-?text|"
    r"td-post-content|single-?content|body-?text|bodytext|content-?body|"
    r"text-?body|article-?main|main-?text|article__text|c-entry-content|"
    r"news-?text|news-?body|newsbody|blog-?post-?content|entry-?body|"
    r"paywall-?content|rich-?text|richtext|field-?body|field-?name-?body|"
    r"articlepage-?body|article-?section|section-?body",
    re.I,
)
# Strong furniture: removed even when the class also looks positive
# ("comments-content", "related-content").
STRONG_NEGATIVE = re.compile(
    r"testimonial|disclaimer|comment(?!ary)|disqus|respond|share|sharing|social|related|recommend|more-?like|"
    r"read-?more|readmore|read-?next|newsletter|subscribe|cookie|consent|outbrain|"
    r"taboola|advert|\bads?\b|adslot|sponsor|promo(?!ted)|author-?bio|about-?the-?author|"
    r"author-?box|bio-?box|tag-?list|post-?tags|\btags\b|breadcrumb|pagination|"
    r"sr-only|screen-?reader|visually-?hidden|"
    r"\bcta\b|call-?to-?action|next-?prev|prev-?next|prev(?:ious)?-?(?:post|article|story)|next-?(?:post|article|story)s?\b",
    re.I,
)

# Boxes removed inside the body but not weighed when choosing it (a page may
# wrap everything, the article too, in one of them): the writer's box (name,
# photo, bio) and the lead-capture forms of marketing-form vendors.
BODY_BOX = re.compile(
    r"(?:\b|_)author(?:s|__?\w*|-(?!name\b)\w+)?(?:\b|_)|\bvcard\b|"
    r"hubspot-?(?:section|form|cta)|hbspt|\bhs-form|mkto-?form|pardot-?form|mc4wp|mc-?embed|"
    r"mailchimp|convertkit|optinmonster",
    re.I,
)

# Visible phrases of furniture blocks (whole block, case-insensitive, any language
# the sets use most: English, German, French, Spanish, Italian).
FURNITURE_LINE = re.compile(
    r"^\s*(?:"
    r"(?:read|see|watch|listen|click)\s+(?:more|also|next)\b.{0,200}|"
    r"(?:related|recommended|more)\s*(?:articles?|stories|posts|news|reading|like this|"
    r"from\b.{0,40})\s*:?.{0,0}|"
    r"more like this|you (?:may|might) (?:also )?(?:like|be interested in)\b.*|"
    r"please enter your (?:comment|name|email)(?: here)?!?|leave a (?:reply|comment)\b.*|"
    r"share (?:this|post|article|story|on)\b.{0,40}|(?:jetzt |now )?(?:share|teilen)\s*[:!]?|"
    r"(?:sign up|subscribe) (?:to|for) (?:our|the) (?:newsletter|daily|weekly)\b.{0,200}|"
    r"follow us on\b.{0,80}|"
    r"(?:lesen sie auch|mehr zum thema|auch interessant|das könnte sie auch interessieren|"
    r"weitere artikel|teilen|artikel teilen|zum thema)\s*:?.{0,200}|"
    r"(?:lire aussi|à lire aussi|voir aussi|leer más|lee también|leggi anche)\s*:?.{0,200}|"
    r"[-–—]*\s*(?:advertisement|anzeige|werbung|publicité|ad)\s*[-–—]*|"
    r"advertisement|advertising|advert|anzeige|werbung|publicité|publicidad|pubblicità|sponsored|"
    r"loading\b.{0,40}(?:\.\.\.|…)|tell us what you think.{0,40}|"
    r"(?:image|photo|picture|slide|bild|foto|imagen|immagine)\s+\d+\s*(?:of|von|de|di|sur|/)\s*\d+|"
    r"\d+ (?:of|von) \d+|"  # a gallery's counter
    r"table of contents|inhaltsverzeichnis|"
    r"tags?\s*[:\n].{0,300}|schlagwörter\s*:.{0,300}|filed under\s*:?.{0,300}|"
    r"themen\s*:.{0,200}|topics\s*:.{0,200}|autor(?:en|in)?\s*:.{0,100}|"
    r"(?:war|ist) (?:dieser|der) (?:artikel|beitrag) (?:nützlich|hilfreich)\s*\??|"
    r"(?:was this (?:article|page|post) (?:helpful|useful))\s*\??|"
    r"möchten sie (?:den|diesen) (?:artikel|beitrag) teilen\s*\??|"
    r"hinterlasse(?:n sie)? (?:jetzt )?einen kommentar.{0,40}|"
    r"(?:neueste|aktuelle|beliebte|verwandte|ähnliche) (?:artikel|beiträge|themen(?:bereiche)?)\s*:?|"
    r"alle (?:artikel|beiträge) (?:zu|zum|von)\b.{0,80}|"
    r"(?:newest|latest|recent|popular) (?:articles|posts|stories)\s*:?"
    r"|(?:le puede interesar|te puede interesar|lea también|czytaj (?:też|także)|auch lesen|"
    r"siehe auch|see also|also read|read also|weiterlesen|zum weiterlesen)\s*:.{0,250}|"
    r"(?:dieser|der) beitrag wurde am .{0,250}|this (?:entry|post) was posted .{0,250}|"
    r"\d+ (?:kommentare?|comments?|kommentar)|keine kommentare.{0,120}|no comments(?: yet)?.{0,80}|"
    r"(?:síguenos|siguenos|folgen sie uns|folge uns|suivez-nous|seguici)\b.{0,200}|"
    r"we want to hear what you think.{0,250}|"
    r"wir respektieren (?:deine|ihre) privatsphäre.{0,300}|"
    r"(?:über den autor|über die autorin|à propos de l.auteur|sobre el autor|about the author)\b.{0,40}|"
    # the byline's labels left on their own line ("Reviewed by", "Fact checked by")
    r"(?:(?:medically |expert )?reviewed|written|edited|fact[- ]checked|updated|verified) by\s*:?|"
    # a newsletter box: the publication's own newsletter offered, not prose about one
    r"(?=.{0,300}$)(?=.*\bnewsletter)(?=.*\b(?:sign|subscri|abonn|anmeld|inscri|suscr|registr))"
    r"(?=^\W*(?:sign|subscri|abonn|anmeld|inscri|suscr|registr|join|get|jetzt|melde|bestell|erhalte|"
    r"don.t miss|never miss|stay|want|like|enjoy|love|receive|be the first|newsletter)|"
    r".*\b(?:our|unsere[nmr]?|notre|nos|nuestro|nuestra|la nostra|il nostro|this|the|free|weekly|daily)"
    r"\s+(?:[\w-]+\s+){0,2}newsletters?\b).*|"
    r"lust auf mehr\?.{0,250}|"
    # a photo agency's credit line ("Getty Images / Jane Doe", "AP Photo/John Roe")
    r"(?:getty images|shutterstock|istock(?:photo)?|ap photo|alamy|unsplash|imago|"
    r"picture alliance|dpa|afp|reuters|epa)(?:\s*/\s*.{0,60}|\s+(?:via|for)\s+.{0,40})|"
    # reading time and "last updated" lines of the byline
    r"(?=.{0,80}$).*\b\d+\s*(?:min(?:ute)?s?\.?|minutes?)\s+(?:read|reading|lesezeit)\b.*|"
    r"(?:reading time|lesezeit|temps de lecture)\s*:?.{0,30}|"
    r"(?:last )?updated(?: on)?\s*:?\s*(?=.{0,60}$)(?:\w+ \d{1,2}(?:st|nd|rd|th)?,? \d{4}|\d).*|last updated\s*:?|"
    # an affiliate disclosure ("This post contains affiliate links... we may earn a commission")
    r"(?=.{0,400}$)(?=.*(?:\b(?:contains?|may contain|includes?|uses?|use some)\b.{0,30}\baffiliate links?|"
    r"\b(?:we|i|us|site)\b.{0,60}\b(?:earn|receive|get|make)\b.{0,40}\b(?:commissions?|from qualifying purchases)\b|"
    r"supported by commissions|^\W*(?:affiliate )?disclos(?:ure|ures)\s*:)).*|"
    # the writer's contact line ("Email Jane at jane@... or follow her @jane")
    r"(?=.{0,250}$)(?=.*[\w.+-]@[\w-]+\.\w)(?=.*\b(?:follow|twitter)\b).*|"
    r".{0,100}(?:©|\(c\)|copyright)\s.{0,100}|"
    r"(?:audios? (?:et|and|und) vid[ée]os?|videos?) (?:sur le sujet|zum thema|on this topic).{0,40}|"
    r"permalien|permalink|aktuelle news|neueste nachrichten|news ?letters?|"
    r"(?:abbildung|abb\.|bild|foto|fotos|photo|image|figure|fig\.|grafik)\s*\d*\s*:.{0,200}|"
    r"(?:quelle|quellen|bildquelle|source|sources|fuente|credits?|photo credits?|"
    r"crédits? photos?)\s*:.{0,150}|"
    r".{0,40}\b(?:teilen|share|partager|compartir|condividi|udostępnij)\b.{0,30}:"
    r")\s*$",
    re.I | re.S,
)
# A paragraph that starts with these words and is all or mostly one link.
PROMO_PREFIX = re.compile(
    r"^[\s\[(»>•*\U0001F449]*(?:read more|more|read|see also|also read|related|watch|listen|lesen sie|"
    r"mehr|lire aussi|à lire|leer más|leggi)\b\s*[:\-–—>»]",
    re.I,
)

# Headings that open a furniture section: drop the heading and what follows it
# in the same container.
FURNITURE_HEADING = re.compile(
    r"^\s*(?:more like this|related(?: articles| stories| posts| news| content)?|"
    r"recommended(?: for you| articles| stories)?|read next|read more|more (?:from|on|in)\b.*|"
    r"you (?:may|might) (?:also )?like|popular(?: now| posts| stories)?|most (?:read|popular|viewed|shared)\b.{0,40}|"
    r"trending\b.{0,40}|latest(?: news| stories| posts)?|comments?|\d+ comments?|"
    r"recent (?:posts|blogs?|articles|stories|news)|more\b.{0,30}\b(?:stories|articles|posts|reads)|"
    r"leave a (?:reply|comment)|share (?:this|post|article)?:?|tags|topics|"
    r"about (?:the|our) (?:authors?|reviewers?|editors?|writers?|contributors?)|"
    r"newsletter|sign up.*|subscribe.*|"
    r"disclaimer|"
    r"mehr zum thema|das könnte (?:sie|dich) (?:auch )?interessieren|weitere artikel|kommentare|"
    r"ähnliche artikel|lesen sie auch|à lire aussi|sur le même sujet|zum weiterlesen|"
    r"mehr themen|auch lesen|weitere beiträge.*|weitere (?:informationen|infos)(?: zu.*)?|"
    r"keine kommentare|quellen(?: ausblenden| anzeigen)?|quellenangaben|lust auf mehr\??|"
    r"mehr zu .{1,60}|das thema könnte (?:sie|dich) auch interessieren|"
    r"le puede interesar|te puede interesar|lea también|leer más|czytaj (?:też|także)|"
    r"vous aimerez aussi|à lire également|sur le même thème|leggi anche|potrebbe interessarti|"
    r"more on this(?: story| topic)?|related topics|read also|see also|"
    r"you (?:may|might) also (?:like|enjoy|be interested in)|externer inhalt|"
    r"ansprechpartner(?:in)?|kontakt|contact us|further reading|"
    # the same lead-ins in other languages the crawl meets (pt, ru, es, it, fr, nl, pl)
    r"voc[êe] (?:também )?pode gostar.*|veja também|leia também|not[íi]cias relacionadas|"
    r"mais lid[ao]s|coment[áa]rios|artigos relacionados|"
    r"отзывы|комментарии|похожие (?:статьи|записи|новости)|читайте также|самые популярные.*|"
    r"добавить (?:отзыв|комментарий)|"
    r"art[íi]culos relacionados|lo más le[íi]do|comentarios|articoli correlati|commenti|"
    r"i più letti|articles similaires|commentaires|les plus lus|gerelateerde artikelen|"
    r"lees ook|reacties|komentarze|podobne artyku[łl]y|najczęściej czytane|"
    r"(?:über|about|à propos de|sobre|a proposito di)\s+(?-i:[A-ZÄÖÜ][\w.-]+)(?:\s+(?-i:[A-ZÄÖÜ][\w.-]+)){1,2}"
    r")\s*[:?!.]?\s*$",
    re.I,
)

# Class/id words of a lead paragraph (standfirst, teaser text) that themes often
# place in the article header, outside the body container.
LEAD = re.compile(
    r"\blead\b|[-_]lead\b|\blead-|leadin|intro\b|standfirst|vorspann|anriss|einleitung|"
    r"sub-?headline|subtitle|sub-?title|"
    r"chapo|chapeau|\bsapo\b|bajada|entradilla|teaser-?text|article-?teaser",
    re.I,
)

# Image captions and credits (not part of the article text in the gold sets
# nor in what readers quote).
CAPTION = re.compile(
    r"caption|credit|image-?desc|img-?desc|photo-?desc|media-?desc|legende|légende|bildunterschrift|"
    r"copyright|photographer|image-?source|foto-?credit",
    re.I,
)
