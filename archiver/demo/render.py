"""HTML of the demo outlet, in the markup of a WordPress site on the tagDiv Newspaper theme.

Each section uses a slightly different "skin" (class names, order of the blocks
after the article) so that a cleaner has to recognise furniture by what it is,
not by one class name. Every furniture string a cleaner must drop is listed in
:data:`STATIC_FURNITURE`; :mod:`archiver.demo.site` adds the per-article ones.
"""

from __future__ import annotations

import dataclasses
import html
import json
from urllib.parse import quote

from archiver.demo.content import AUTHORS, SECTIONS, SITE_NAME, ArticleContent, slugify

TAGLINE = "Independent journalism since 1887"
COOKIE_TEXT = "We use cookies to personalise content and ads, to provide social media features and to analyse our traffic."
COOKIE_TEXT_2 = "By clicking “Accept all cookies”, you agree to the storing of cookies on your device."
NEWSLETTER_TITLE = "Sign up for our morning briefing"
NEWSLETTER_TEXT = "The day's top stories from the Herald, delivered free to your inbox at 7am."
NEWSLETTER_SMALL = (
    "We will use your email address only to send you newsletters. You can unsubscribe at any time."
)
FOOTER_ABOUT = "The Meridian Herald is a demonstration outlet bundled with news-archiver. Its stories are invented for testing."
COPYRIGHT = "© 2024 The Meridian Herald. All rights reserved."

STATIC_FURNITURE: tuple[str, ...] = (
    "Please enter your comment!",
    "Please enter your name here",
    "You have entered an incorrect email address!",
    "Please enter your email address here",
    "Save my name, email, and website in this browser for the next time I comment.",
    "LEAVE A REPLY",
    "Cancel reply",
    "Post Comment",
    "Share post:",
    "More like this",
    "READ MORE:",
    "Advertisement",
    COOKIE_TEXT,
    COOKIE_TEXT_2,
    "Accept all cookies",
    "Manage cookie preferences",
    NEWSLETTER_TITLE,
    NEWSLETTER_TEXT,
    NEWSLETTER_SMALL,
    FOOTER_ABOUT,
    COPYRIGHT,
    TAGLINE,
    "Skip to content",
    "Latest news from Britain and the world",
    "Privacy policy",
    "Most read",
)

IMAGE_PATH = "/wp-content/uploads/2024/06/meridian-placeholder.png"
STYLE_PATH = "/wp-content/themes/Newspaper/style.css"


def e(text: str) -> str:
    return html.escape(text, quote=True)


def display_date(iso: str) -> str:
    """'2024-06-21T16:42:00+01:00' -> '21 June 2024' (the day as the outlet prints it)."""
    months = (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    )
    year, month, day = iso[:10].split("-")
    return f"{int(day)} {months[int(month) - 1]} {year}"


@dataclasses.dataclass(frozen=True)
class Skin:
    """The markup choices of one section's article template."""

    content: str  # opening tag of the body container
    content_end: str
    ad_inline: str
    share: str
    related: str
    order: tuple[str, ...]  # blocks after the body: comments, share, related
    share_on_top: bool = False


SKINS = {
    "world": Skin(
        '<div class="td-post-content tagdiv-type">',
        "</div>",
        '<div class="td-a-rec td-a-rec-id-content_inline"><span class="td-adspot-title">- Advertisement -'
        "</span>",
        "td-post-sharing td-post-sharing-bottom",
        "td_block_wrap td_block_related_posts",
        ("comments", "share", "related"),
    ),
    "politics": Skin(
        '<div class="tdb_single_content tdb-block-inner td-fix-index">',
        "</div>",
        '<div class="td-a-ad td_uid_12_inline"><span class="td-adspot-title">Advertisement</span>',
        "tdb_single_post_share td-post-sharing",
        "td_block_wrap td_flex_block_1 tdb_single_related",
        ("share", "related", "comments"),
    ),
    "business": Skin(
        '<div class="entry-content" itemprop="articleBody">',
        "</div>",
        '<div class="ad-slot ad-slot--inline" data-slot="mpu-1"><p class="ad-label">Advertisement</p>',
        "share-bar social-share",
        "related-posts jp-relatedposts",
        ("related", "comments"),
        share_on_top=True,
    ),
    "science": Skin(
        '<section class="article-body story__body">',
        "</section>",
        '<aside class="advert advert--mpu"><span class="advert__label">Advertisement</span>',
        "sharing-tools",
        "more-stories",
        ("related", "share", "comments"),
    ),
}


def page_shell(
    base: str, *, title: str, head: str, main: str, body_class: str, sidebar: str = "", cdn: str | None = None
) -> str:
    """The frame every page shares: cookie banner, header with nav, footer; its face from ``cdn``."""
    from archiver.demo import face

    cdn = cdn or base
    nav = "".join(
        f'<li class="menu-item menu-item-type-taxonomy"><a href="{base}/section/{s.slug}/">{e(s.name)}</a></li>'
        for s in SECTIONS.values()
    )
    side = f'<div class="td-pb-span4 td-main-sidebar" role="complementary">{sidebar}</div>' if sidebar else ""
    return f"""<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
{head}
<link rel="stylesheet" id="td-theme-css" href="{base}{STYLE_PATH}?ver=12.6" type="text/css" media="all">
{face.head_links(base, cdn)}<link rel="alternate" type="application/rss+xml" title="{e(SITE_NAME)} &raquo; Feed" href="{base}/feed.xml">
<link rel="alternate" type="application/atom+xml" title="{e(SITE_NAME)} &raquo; Atom" href="{base}/atom.xml">
</head>
<body class="{body_class} td-standard-pack global-block-template-1">
<div id="cookie-notice" class="cn-banner cookie-consent" role="dialog" aria-label="Cookie consent">
<p class="cn-text">{e(COOKIE_TEXT)}</p>
<p class="cn-text">{e(COOKIE_TEXT_2)}</p>
<button type="button" class="cn-accept">Accept all cookies</button>
<button type="button" class="cn-settings">Manage cookie preferences</button>
</div>
<div id="td-outer-wrap" class="td-theme-wrap">
<div class="td-header-wrap td-header-style-1" {face.masthead_style(cdn)}>
<div class="td-header-top-menu"><a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<span class="td_data_time">Latest news from Britain and the world</span></div>
<div class="td-header-logo"><a class="td-main-logo" href="{base}/"><span class="td-logo-text">{e(SITE_NAME)}</span></a>
<span class="td-tagline-text">{e(TAGLINE)}</span></div>
<nav class="td-header-menu-wrap" aria-label="Main menu"><ul id="menu-main" class="sf-menu">
<li class="menu-item menu-item-home"><a href="{base}/">Home</a></li>{nav}<li class="menu-item"><a href="{base}/about/">About us</a></li>
</ul></nav>
<div class="td-header-rec-wrap"><div class="td-a-rec td-a-rec-id-header"><span class="td-adspot-title">- Advertisement -</span>
<img src="{base}{IMAGE_PATH}" alt="" width="728" height="90"></div></div>
</div>
<div id="content" class="td-main-content-wrap td-container-wrap"><div class="td-container"><div class="td-pb-row">
<div class="td-pb-span8 td-main-content" role="main">
{main}
</div>
{side}
</div></div></div>
<div class="td-footer-wrap td-footer-template-2"><footer class="td-footer-container">
<div class="td-footer-about"><p>{e(FOOTER_ABOUT)}</p></div>
<ul class="td-footer-menu menu"><li><a href="{base}/about/">About us</a></li><li><a href="{base}/privacy/">Privacy policy</a></li>
<li><a href="{base}/feed.xml">RSS feed</a></li><li><a href="{base}/sitemap.xml">Sitemap</a></li></ul>
<div class="td-sub-footer-copy">{e(COPYRIGHT)}</div>
</footer></div>
</div>
<script type="text/javascript">var tdBlocksArray = []; var tds_cookie_notice = true;</script>
</body>
</html>
"""


def website_head(base: str, *, title: str, path: str, description: str, extra: str = "") -> str:
    url = base + path
    return (
        f'<meta name="description" content="{e(description)}">\n'
        f'<link rel="canonical" href="{e(url)}">\n'
        '<meta property="og:locale" content="en_GB">\n'
        '<meta property="og:type" content="website">\n'
        f'<meta property="og:title" content="{e(title)}">\n'
        f'<meta property="og:url" content="{e(url)}">\n'
        f'<meta property="og:site_name" content="{e(SITE_NAME)}">\n' + extra
    )


def _author_url(base: str, name: str) -> str:
    return f"{base}/author/{slugify(name)}/"


def teaser_excerpt(article: ArticleContent, words: int = 8) -> str:
    """The 'More like this' snippet: first words of the body and an ellipsis."""
    return " ".join(article.paragraphs[0].split()[:words]) + "..."


def json_ld(base: str, article: ArticleContent, url: str) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.description,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": iso(article.published),
        "dateModified": iso(article.modified),
        "author": [{"@type": "Person", "name": n, "url": _author_url(base, n)} for n in article.authors],
        "publisher": {
            "@type": "Organization",
            "name": SITE_NAME,
            "url": base + "/",
            "logo": {"@type": "ImageObject", "url": base + IMAGE_PATH},
        },
        "image": [base + IMAGE_PATH],
        "articleSection": SECTIONS[article.section].name,
        "keywords": list(article.tags),
        "inLanguage": "en-GB",
        "isAccessibleForFree": True,
    }
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def iso(moment) -> str:
    """ISO 8601 with seconds, and 'Z' for UTC as many outlets print it."""
    text = moment.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def article_page(
    base: str,
    article: ArticleContent,
    url: str,
    urls: dict[str, str],
    by_slug: dict[str, ArticleContent],
    post_id: int,
    cdn: str | None = None,
) -> str:
    """One article with all its furniture; ``urls`` maps every slug to its URL; images from ``cdn``."""
    from archiver.demo import face

    cdn = cdn or base
    skin = SKINS[article.section]
    section = SECTIONS[article.section]
    published, modified = iso(article.published), iso(article.modified)
    head = (
        f'<meta name="description" content="{e(article.description)}">\n'
        f'<meta name="author" content="{e(", ".join(article.authors))}">\n'
        f'<link rel="canonical" href="{e(url)}">\n'
        '<meta property="og:locale" content="en_GB">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{e(article.title)}">\n'
        f'<meta property="og:description" content="{e(article.description)}">\n'
        f'<meta property="og:url" content="{e(url)}">\n'
        f'<meta property="og:site_name" content="{e(SITE_NAME)}">\n'
        f'<meta property="og:image" content="{base}{IMAGE_PATH}">\n'
        f'<meta property="article:published_time" content="{published}">\n'
        f'<meta property="article:modified_time" content="{modified}">\n'
        f'<meta property="article:section" content="{e(section.name)}">\n'
        + "".join(f'<meta property="article:tag" content="{e(t)}">\n' for t in article.tags)
        + '<meta name="twitter:card" content="summary_large_image">\n'
        + json_ld(base, article, url)
    )
    byline = ", ".join(f'<a href="{_author_url(base, n)}" rel="author">{e(n)}</a>' for n in article.authors)
    body = [skin.content]
    promos = dict(article.promos)
    for i, para in enumerate(article.paragraphs, start=1):
        body.append(f"<p>{e(para)}</p>")
        if i == 3 and len(article.paragraphs) > 4:
            closing = "</" + skin.ad_inline[1:].split()[0] + ">"
            body.append(
                f'{skin.ad_inline}<img src="{base}{IMAGE_PATH}" alt="" width="300" height="250">{closing}'
            )
        if i in promos:
            target = by_slug[promos[i]]
            body.append(
                f'<p><strong>READ MORE: <a href="{urls[target.slug]}">{e(target.title)}</a></strong></p>'
            )
    body.append(skin.content_end)
    tags = "".join(f'<li><a href="{base}/tag/{slugify(t)}/" rel="tag">{e(t)}</a></li>' for t in article.tags)
    blocks = {
        "comments": comment_form(),
        "share": share_bar(skin, url, article.title),
        "related": related_block(skin, [by_slug[s] for s in article.related], urls),
    }
    main = f"""<div class="td-crumb-container"><div class="entry-crumbs"><span><a class="entry-crumb" href="{base}/">Home</a></span> <i class="td-icon-right td-bread-sep"></i> <span><a class="entry-crumb" href="{base}/section/{section.slug}/">{e(section.name)}</a></span></div></div>
<article id="post-{post_id}" class="post-{post_id} post type-post status-publish format-standard has-post-thumbnail category-{section.slug}">
<div class="td-post-header">
<ul class="td-category"><li class="entry-category"><a href="{base}/section/{section.slug}/">{e(section.name)}</a></li></ul>
<header class="td-post-title">
<h1 class="entry-title">{e(article.title)}</h1>
<div class="td-module-meta-info">
<div class="td-post-author-name"><div class="td-author-by">By</div> {byline}</div>
<span class="td-post-date"><time class="entry-date updated td-module-date" datetime="{published}">{display_date(published)}</time></span>
</div>
</header>
</div>
{share_bar(skin, url, article.title) if skin.share_on_top else ""}
<div class="td-post-featured-image">{face.featured_image(cdn, article.section, article.title)}</div>
{chr(10).join(body)}
<footer>
<div class="td-post-source-tags"><ul class="td-tags td-post-small-box clearfix"><li><span>TAGS</span></li>{tags}</ul></div>
</footer>
</article>
{chr(10).join(blocks[name] for name in skin.order)}"""
    sidebar = (
        face.lazy_figure(cdn)
        + author_box(base, article.authors)
        + newsletter_box()
        + (
            '<div class="td-a-rec td-a-rec-id-sidebar"><span class="td-adspot-title">- Advertisement -</span></div>'
        )
    )
    return page_shell(
        base,
        cdn=cdn,
        title=f"{article.title} | {SITE_NAME}",
        head=head,
        main=main,
        sidebar=sidebar,
        body_class=f"post-template-default single single-post postid-{post_id} single-format-standard",
    )


def comment_form() -> str:
    """The WordPress/tagDiv comment form, with its validation messages as visible text."""
    return """<div class="comments" id="comments"><div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title"><span>LEAVE A REPLY</span> <small><a rel="nofollow" id="cancel-comment-reply-link" href="#respond" style="display:none;">Cancel reply</a></small></h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<div class="clearfix"></div>
<div class="comment-form-input-wrap td-form-comment"><textarea placeholder="Comment:" id="comment" name="comment" cols="45" rows="8" aria-required="true"></textarea>
<div class="td-warning-comment">Please enter your comment!</div></div>
<div class="comment-form-input-wrap td-form-author"><input class="" id="author" name="author" placeholder="Name:*" type="text" value="" size="30" aria-required="true">
<div class="td-warning-author">Please enter your name here</div></div>
<div class="comment-form-input-wrap td-form-email"><input class="" id="email" name="email" placeholder="Email:*" type="text" value="" size="30" aria-required="true">
<div class="td-warning-email-error">You have entered an incorrect email address!</div>
<div class="td-warning-email">Please enter your email address here</div></div>
<p class="comment-form-cookies-consent"><input id="wp-comment-cookies-consent" name="wp-comment-cookies-consent" type="checkbox" value="yes"><label for="wp-comment-cookies-consent">Save my name, email, and website in this browser for the next time I comment.</label></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment"></p>
</form>
</div></div>"""


def share_bar(skin: Skin, url: str, title: str) -> str:
    u, t = quote(url, safe=""), quote(title, safe="")
    return f"""<div class="{skin.share}"><div class="td-post-sharing-visible"><span class="td-post-sharing-title">Share post:</span>
<a class="td-social-sharing-button td-social-facebook" href="https://www.facebook.com/sharer.php?u={u}" title="Facebook"><span class="td-social-but-text">Facebook</span></a>
<a class="td-social-sharing-button td-social-twitter" href="https://twitter.com/intent/tweet?text={t}&amp;url={u}" title="Twitter"><span class="td-social-but-text">Twitter</span></a>
<a class="td-social-sharing-button td-social-whatsapp" href="https://api.whatsapp.com/send?text={t}%20%0A%0A%20{u}" title="WhatsApp"><span class="td-social-but-text">WhatsApp</span></a>
<a class="td-social-sharing-button td-social-mail" href="mailto:?subject={t}&amp;body={u}" title="Email"><span class="td-social-but-text">Email</span></a>
</div></div>"""


def related_block(skin: Skin, teasers: list[ArticleContent], urls: dict[str, str]) -> str:
    items = "".join(
        f"""<div class="td-related-span4"><div class="td_module_related_posts td-animation-stack td_mod_related_posts"><div class="item-details">
<h3 class="entry-title td-module-title"><a href="{urls[t.slug]}" rel="bookmark" title="{e(t.title)}">{e(t.title)}</a></h3>
<div class="td-excerpt">{e(teaser_excerpt(t))}</div>
</div></div></div>"""
        for t in teasers
    )
    return (
        f'<div class="{skin.related}"><h4 class="td-related-title td-block-title"><span class="td-related-left">'
        f'More like this</span></h4><div class="td_block_inner"><div class="td-related-row">{items}</div></div></div>'
    )


def author_box(base: str, names: list[str]) -> str:
    parts = []
    for name in names:
        author = AUTHORS[slugify(name)]
        parts.append(f"""<div class="author-box-wrap"><a href="{_author_url(base, name)}"><img src="{base}{IMAGE_PATH}" alt="" width="96" height="96" class="avatar"></a>
<div class="desc"><div class="td-author-name vcard author"><span class="fn"><a href="{_author_url(base, name)}">{e(name)}</a></span></div>
<div class="td-author-description">{e(author.bio)}</div></div></div>""")
    return "\n".join(parts)


def newsletter_box() -> str:
    return f"""<div class="td_block_wrap tdm_block_newsletter newsletter-signup"><h4 class="tdm-title">{e(NEWSLETTER_TITLE)}</h4>
<p class="tdm-descr">{e(NEWSLETTER_TEXT)}</p>
<form class="tdn-form" action="/newsletter/subscribe" method="post"><input type="email" name="email" placeholder="Your email address"><button type="submit">Subscribe</button></form>
<p class="tdm-small">{e(NEWSLETTER_SMALL)}</p></div>"""


def listing_item(base: str, article: ArticleContent, url: str) -> str:
    authors = ", ".join(f'<a href="{_author_url(base, n)}">{e(n)}</a>' for n in article.authors)
    published = iso(article.published)
    return f"""<div class="td_module_10 td_module_wrap td-animation-stack"><div class="item-details">
<h3 class="entry-title td-module-title"><a href="{url}" rel="bookmark" title="{e(article.title)}">{e(article.title)}</a></h3>
<div class="td-module-meta-info"><span class="td-post-author-name">{authors}</span> <span class="td-post-date"><time class="entry-date updated td-module-date" datetime="{published}">{display_date(published)}</time></span></div>
<div class="td-excerpt">{e(article.description)}</div>
</div></div>"""


def pagination(base: str, prefix: str, page: int, pages: int) -> str:
    """tagDiv's page-nav; ``prefix`` is the listing's first page path ('/', '/section/world/')."""
    if pages <= 1:
        return ""

    def href(n: int) -> str:
        return f"{base}{prefix}" if n == 1 else f"{base}{prefix}page/{n}/"

    parts = ['<div class="page-nav td-pb-padding-side">']
    if page > 1:
        parts.append(f'<a href="{href(page - 1)}" aria-label="prev-page" rel="prev">« Previous</a>')
    for n in range(1, pages + 1):
        parts.append(
            f'<span class="current">{n}</span>'
            if n == page
            else f'<a href="{href(n)}" class="page" title="{n}">{n}</a>'
        )
    if page < pages:
        parts.append(f'<a href="{href(page + 1)}" aria-label="next-page" rel="next">Next »</a>')
    parts.append(f'<span class="pages">Page {page} of {pages}</span></div>')
    return "".join(parts)
