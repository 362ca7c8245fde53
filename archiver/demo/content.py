"""The demo outlet's editorial content: sections, authors, headlines and article bodies.

Bodies are generated from sentence templates with a seeded RNG, so every build
gives the same text while articles still read differently from one another
(a cleaner tested on one repeated paragraph would prove little). Nothing here
depends on the base URL: the content is the same wherever the site is served.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import random
import re
import unicodedata
from importlib import resources

SITE_NAME = "The Meridian Herald"
SEED = "meridian-herald-2024"


@dataclasses.dataclass(frozen=True)
class Section:
    slug: str
    name: str
    experts: tuple[tuple[str, str], ...]
    quotes: tuple[str, ...]
    background: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Author:
    slug: str
    name: str
    bio: str


@dataclasses.dataclass(frozen=True)
class Topic:
    """What one generated story is about: the slots its templates fill."""

    section: str
    title: str
    subject: str
    place: str
    actor: str
    role: str
    org: str
    tags: tuple[str, ...]


@dataclasses.dataclass
class ArticleContent:
    """One article before rendering (no URLs: those depend on where the site runs)."""

    section: str
    title: str
    slug: str
    published: dt.datetime
    modified: dt.datetime
    authors: list[str]
    description: str
    tags: list[str]
    paragraphs: list[str]
    promos: list[tuple[int, str]]  # (insert after N body paragraphs, slug of promoted article)
    related: list[str]  # slugs for "More like this"
    is_seed: bool = False


SECTIONS: dict[str, Section] = {
    "world": Section(
        "world",
        "World",
        (
            ("Dr Helena Varga", "a security analyst at the Institute for Eastern Studies"),
            ("Professor Tomasz Lind", "who teaches international relations at Uppsala University"),
            ("Amira Haddad", "a former diplomat now with the Geneva Policy Forum"),
        ),
        (
            "We are watching the situation hour by hour and we will not be caught unprepared",
            "Nobody in this region wants another winter like the last one",
            "The people here have heard promises before, and they want to see action",
            "Our partners have made their commitments clear and we expect them to be honoured",
            "This is not a moment for grand speeches but for practical help on the ground",
            "Every delay costs lives, and the international community knows it",
        ),
        (
            "Talks between the two governments stalled in the spring after a dispute over border crossings.",
            "Aid agencies have repeatedly warned that the supply routes into the area remain fragile.",
            "The region has been a flashpoint for tensions since the collapse of a ceasefire two years ago.",
            "Diplomats in Brussels have been pressing for a joint statement before the summit in July.",
            "Satellite images published last month appeared to show new construction near the frontier.",
        ),
    ),
    "politics": Section(
        "politics",
        "Politics",
        (
            ("Professor Sarah Whitcombe", "a constitutional expert at King's College London"),
            ("Gareth Moyle", "director of the Centre for Electoral Reform"),
            ("Dr Imran Qureshi", "a senior fellow at the Bridgewater Institute"),
        ),
        (
            "Voters are tired of excuses and they deserve a straight answer",
            "This is about trust, and trust is earned rather than demanded",
            "We will set out our plans in full before the summer recess",
            "The figures simply do not add up, however many times ministers repeat them",
            "I have spoken to colleagues across the House and the mood is clear",
            "Nobody should be in any doubt about where this party stands",
        ),
        (
            "The Government has a working majority of 56, but several backbenchers have signalled unease.",
            "Opinion polls published over the weekend put the two main parties within three points of each other.",
            "The committee is expected to publish its report before Parliament rises for the summer.",
            "A similar proposal was shelved in 2019 after opposition from local councils.",
            "Whitehall sources said officials had been asked to prepare options for a consultation.",
        ),
    ),
    "business": Section(
        "business",
        "Business",
        (
            ("Kirsty Allardyce", "chief economist at Harbourside Capital"),
            ("Martin Oyelaran", "a retail analyst at Threadneedle Research"),
            ("Dr Fenella Rhodes", "who studies corporate finance at the University of Leeds"),
        ),
        (
            "The market has been waiting for clarity and today it finally got some",
            "Customers are still spending, but they are far more careful about what they buy",
            "We have taken difficult decisions this year and they are starting to pay off",
            "There is no quick fix for productivity, whatever the headlines suggest",
            "Our order book is the strongest it has been since before the pandemic",
            "Investors will want to see margins hold up through the second half",
        ),
        (
            "Shares in the company have fallen by almost a fifth since January.",
            "The Bank of England held interest rates at 5.25 per cent at its most recent meeting.",
            "Inflation eased to 2.3 per cent in April, its lowest level in nearly three years.",
            "The sector employs around 180,000 people across the UK, many of them in the North West.",
            "Analysts had expected a modest rise in revenue after a weak first quarter.",
        ),
    ),
    "science": Section(
        "science",
        "Science",
        (
            ("Professor Anika Sørensen", "an astrophysicist at the University of Edinburgh"),
            ("Dr Julian Ashworth", "who leads a climate modelling group at Reading"),
            ("Dr Priya Nair", "a molecular biologist at the Francis Crick Institute"),
        ),
        (
            "It is the kind of result you hope for once in a career",
            "We were genuinely surprised by how clear the signal was",
            "There is still a great deal of work to do before this reaches patients",
            "The data are robust, but we need independent groups to repeat the measurements",
            "This changes how we think about the problem, not just the numbers",
            "Good science takes time, and this project has taken nearly a decade",
        ),
        (
            "The findings were published in the journal Nature on Wednesday.",
            "The study followed more than 12,000 participants over a period of eight years.",
            "Funding for the project came from the Wellcome Trust and the European Research Council.",
            "Earlier work had hinted at the effect but lacked the precision to confirm it.",
            "The instrument was launched in 2021 and began full operations the following spring.",
        ),
    ),
}

AUTHORS: dict[str, Author] = {
    a.slug: a
    for a in (
        Author(
            "aled-pryce",
            "Aled Pryce",
            "Aled Pryce is the Herald's foreign affairs correspondent, covering Eastern Europe from Warsaw.",
        ),
        Author(
            "fiona-drummond",
            "Fiona Drummond",
            "Fiona Drummond is a political correspondent based at Westminster.",
        ),
        Author(
            "nadia-okafor",
            "Nadia Okafor",
            "Nadia Okafor reports on world news and humanitarian affairs for the Herald.",
        ),
        Author(
            "callum-reid",
            "Callum Reid",
            "Callum Reid is the Herald's chief political commentator and a former lobby journalist.",
        ),
        Author(
            "hannah-liebermann",
            "Hannah Liebermann",
            "Hannah Liebermann is business editor of the Herald and writes the Monday markets column.",
        ),
        Author(
            "owen-marsh",
            "Owen Marsh",
            "Owen Marsh covers retail, energy and the City for the Herald's business desk.",
        ),
        Author(
            "rosalind-chu",
            "Rosalind Chu",
            "Rosalind Chu is the Herald's science editor, writing on space, physics and climate.",
        ),
        Author(
            "tobias-kent",
            "Tobias Kent",
            "Tobias Kent writes about medicine and biology for the Herald's science pages.",
        ),
    )
}

SECTION_AUTHORS = {
    "world": ("aled-pryce", "nadia-okafor"),
    "politics": ("fiona-drummond", "callum-reid"),
    "business": ("hannah-liebermann", "owen-marsh"),
    "science": ("rosalind-chu", "tobias-kent"),
}

_T = Topic
TOPICS: tuple[Topic, ...] = (
    _T(
        "world",
        "Flood defences overwhelmed as storm surge strikes Baltic coast",
        "the storm surge",
        "Gdańsk",
        "Marta Kowalczyk",
        "the regional governor",
        "the Polish emergency service",
        ("Poland", "Weather"),
    ),
    _T(
        "world",
        "Ceasefire talks resume in Geneva after weeks of deadlock",
        "the ceasefire negotiations",
        "Geneva",
        "Jonas Ekberg",
        "the UN special envoy",
        "the United Nations",
        ("Diplomacy", "United Nations"),
    ),
    _T(
        "world",
        "Moldova accuses Moscow of plotting to destabilise border region",
        "the alleged plot",
        "Chișinău",
        "Ion Ceban",
        "the interior minister",
        "the Moldovan security service",
        ("Moldova", "Russia"),
    ),
    _T(
        "world",
        "Wildfires force thousands from homes on Greek island of Evia",
        "the wildfires",
        "Evia",
        "Eleni Markou",
        "the island's deputy mayor",
        "the Greek fire brigade",
        ("Greece", "Wildfires"),
    ),
    _T(
        "world",
        "NATO allies agree new air defence package for Ukraine",
        "the air defence package",
        "Brussels",
        "Kristian Dahl",
        "a senior alliance official",
        "NATO",
        ("NATO", "Ukraine"),
    ),
    _T(
        "world",
        "Georgia's parliament passes contested foreign agents law",
        "the foreign agents law",
        "Tbilisi",
        "Nino Beridze",
        "an opposition MP",
        "the Georgian parliament",
        ("Georgia", "Protests"),
    ),
    _T(
        "world",
        "Drought pushes Rhine shipping to a standstill near Kaub",
        "the low water",
        "Kaub",
        "Stefan Huber",
        "a barge operator",
        "the German waterways authority",
        ("Germany", "Drought"),
    ),
    _T(
        "world",
        "Finland opens new crossing checks as migrant arrivals rise",
        "the new border checks",
        "Vaalimaa",
        "Aino Lehtonen",
        "the Finnish border guard commander",
        "the Finnish border guard",
        ("Finland", "Migration"),
    ),
    _T(
        "politics",
        "Chancellor faces backbench revolt over fuel duty rise",
        "the fuel duty rise",
        "Westminster",
        "Rebecca Holt",
        "the Treasury minister",
        "the Treasury",
        ("Budget", "Fuel duty"),
    ),
    _T(
        "politics",
        "Councils warn of collapse in social care funding",
        "the social care funding gap",
        "Birmingham",
        "David Okonjo",
        "the chair of the Local Government Association",
        "the Local Government Association",
        ("Social care", "Councils"),
    ),
    _T(
        "politics",
        "Home Secretary unveils plan to cut asylum backlog by spring",
        "the asylum backlog",
        "Whitehall",
        "James Carrow",
        "the Home Secretary",
        "the Home Office",
        ("Immigration", "Home Office"),
    ),
    _T(
        "politics",
        "Welsh Senedd votes to expand free school meals",
        "the free school meals scheme",
        "Cardiff",
        "Elin Parry",
        "the Welsh education minister",
        "the Welsh Government",
        ("Wales", "Education"),
    ),
    _T(
        "politics",
        "Labour sets out pledge on rail nationalisation",
        "the rail pledge",
        "London",
        "Priti Sandhu",
        "the shadow transport secretary",
        "the Labour Party",
        ("Rail", "Labour"),
    ),
    _T(
        "politics",
        "Select committee attacks delays to hospital building programme",
        "the hospital building programme",
        "Westminster",
        "Sir Alan Fenwick",
        "the chair of the Public Accounts Committee",
        "the Public Accounts Committee",
        ("NHS", "Parliament"),
    ),
    _T(
        "politics",
        "Lib Dems target Tory heartlands with water pollution campaign",
        "the sewage campaign",
        "Surrey",
        "Claire Whitlock",
        "the Liberal Democrat environment spokeswoman",
        "the Liberal Democrats",
        ("Liberal Democrats", "Environment"),
    ),
    _T(
        "politics",
        "Peers block controversial protest powers in Lords vote",
        "the protest powers",
        "the Lords",
        "Baroness Harlow",
        "a crossbench peer",
        "the House of Lords",
        ("House of Lords", "Civil liberties"),
    ),
    _T(
        "business",
        "Supermarket price war deepens as discounters gain ground",
        "the price war",
        "Bracknell",
        "Lucy Armitage",
        "the chief executive of Fairway Foods",
        "Fairway Foods",
        ("Retail", "Supermarkets"),
    ),
    _T(
        "business",
        "Steelworks to cut 900 jobs as furnace switch goes ahead",
        "the furnace switch",
        "Port Talbot",
        "Rhys Bevan",
        "the plant's general manager",
        "Cambrian Steel",
        ("Steel", "Jobs"),
    ),
    _T(
        "business",
        "House prices rise for third month despite high mortgage rates",
        "the housing market",
        "Halifax",
        "Amanda Greer",
        "the lender's director of mortgages",
        "Pennine Building Society",
        ("Housing", "Mortgages"),
    ),
    _T(
        "business",
        "Energy bills to fall by £120 as new price cap takes effect",
        "the new price cap",
        "London",
        "Tom Whitfield",
        "the regulator's chief executive",
        "the energy regulator",
        ("Energy", "Cost of living"),
    ),
    _T(
        "business",
        "Carmaker confirms £2bn battery plant for the North East",
        "the battery plant",
        "Sunderland",
        "Keiko Tanabe",
        "the carmaker's European president",
        "Hokuto Motors",
        ("Cars", "Manufacturing"),
    ),
    _T(
        "business",
        "High street chain collapses into administration",
        "the administration",
        "Leicester",
        "Gordon Pike",
        "the appointed administrator",
        "Harcourt & Pike",
        ("Retail", "Administration"),
    ),
    _T(
        "business",
        "Brewer raises prices as barley costs soar after poor harvest",
        "the barley shortage",
        "Burton upon Trent",
        "Helen Cartwright",
        "the brewer's finance director",
        "Trent Valley Brewing",
        ("Beer", "Agriculture"),
    ),
    _T(
        "business",
        "Fintech start-up valued at £1bn after funding round",
        "the funding round",
        "Shoreditch",
        "Arjun Mehta",
        "the company's co-founder",
        "Ledgerly",
        ("Technology", "Start-ups"),
    ),
    _T(
        "business",
        "Airline profits soar as summer bookings hit record",
        "the summer bookings",
        "Luton",
        "Sophie Lang",
        "the airline's chief commercial officer",
        "Skylark Air",
        ("Aviation", "Travel"),
    ),
    _T(
        "business",
        "Water company fined £40m over sewage spills",
        "the sewage fine",
        "Reading",
        "Nicholas Brand",
        "the company's chief operating officer",
        "Thames Vale Water",
        ("Water", "Regulation"),
    ),
    _T(
        "science",
        "Astronomers spot water vapour on a distant rocky planet",
        "the water vapour detection",
        "the Atacama desert",
        "Dr Lena Fischer",
        "the study's lead author",
        "the European Southern Observatory",
        ("Space", "Exoplanets"),
    ),
    _T(
        "science",
        "Blood test could detect bowel cancer years earlier",
        "the blood test",
        "Oxford",
        "Professor Mark Ellison",
        "who led the trial",
        "the University of Oxford",
        ("Cancer", "Health"),
    ),
    _T(
        "science",
        "Arctic sea ice thinning faster than models predicted",
        "the sea ice loss",
        "Svalbard",
        "Dr Ingrid Solheim",
        "a glaciologist on the expedition",
        "the Norwegian Polar Institute",
        ("Climate", "Arctic"),
    ),
    _T(
        "science",
        "Ancient DNA reveals first farmers of the British Isles",
        "the ancient DNA",
        "Orkney",
        "Dr Ruairi Byrne",
        "a geneticist on the project",
        "the Natural History Museum",
        ("Archaeology", "Genetics"),
    ),
    _T(
        "science",
        "Fusion experiment sets new record for sustained energy",
        "the fusion experiment",
        "Culham",
        "Dr Olivia Grant",
        "the facility's programme manager",
        "the UK Atomic Energy Authority",
        ("Fusion", "Energy"),
    ),
    _T(
        "science",
        "Bees use simple arithmetic to find flowers, study shows",
        "the bee experiments",
        "Sheffield",
        "Dr Carys Pugh",
        "a behavioural ecologist",
        "the University of Sheffield",
        ("Insects", "Behaviour"),
    ),
    _T(
        "science",
        "Hubble successor captures earliest galaxy yet seen",
        "the new galaxy observation",
        "Baltimore",
        "Dr Marcus Webb",
        "an astronomer on the survey team",
        "the Space Telescope Science Institute",
        ("Space", "Astronomy"),
    ),
    _T(
        "science",
        "New antibiotic found in soil bacteria from Welsh hillside",
        "the antibiotic discovery",
        "Snowdonia",
        "Dr Gwen Hughes",
        "the microbiologist who isolated it",
        "Bangor University",
        ("Antibiotics", "Medicine"),
    ),
    _T(
        "science",
        "Volcanic eruption in Iceland seen from space",
        "the eruption",
        "Grindavík",
        "Dr Sigrún Jónsdóttir",
        "a volcanologist",
        "the Icelandic Met Office",
        ("Iceland", "Volcanoes"),
    ),
    _T(
        "science",
        "Ultra-processed food linked to poorer sleep in large study",
        "the diet study",
        "Bristol",
        "Dr Femi Adeyemi",
        "an epidemiologist",
        "the University of Bristol",
        ("Diet", "Sleep"),
    ),
)

# Sentence templates shared by every section. Slots: {subject} {Subject} {place}
# {actor} {surname} {role} {org} {expert} {expert_role} {n} {m} {pct} {day} {quote}.
LEADS = (
    "{Subject} has dominated the agenda in {place} this week, with {org} warning that the coming days will be decisive.",
    "Officials in {place} were scrambling on {day} to respond to {subject}, which has drawn criticism from all sides.",
    "{actor}, {role}, has promised a full response to {subject} after {n} days of mounting pressure.",
    "Fresh details about {subject} emerged on {day}, raising new questions for {org}.",
)
GENERIC = (
    "{surname} told reporters in {place}: “{quote}.”",
    "Speaking on {day}, {surname} added: “{quote}.”",
    "“{quote},” {surname} said in a statement released by {org}.",
    "{expert}, {expert_role}, said the coming weeks would show whether {subject} marked a real turning point.",
    "{expert}, {expert_role}, cautioned against reading too much into a single week of events.",
    "According to figures seen by the Herald, around {n} people have been directly affected so far.",
    "The estimate has since been revised upwards by {pct} per cent, officials confirmed.",
    "Critics say {org} was slow to react when the first warnings were raised in {month}.",
    "A spokesperson for {org} rejected that account, insisting that procedures had been followed throughout.",
    "Local residents described a mood of anxiety, with many saying they had not been told what to expect.",
    "One woman, who asked not to be named, said she had lived in {place} for {m} years and had never seen anything like it.",
    "Supporters of the plan argue that it is the only realistic option on the table.",
    "Opponents counter that the costs have been underestimated by as much as {pct} per cent.",
    "The issue is expected to come up again when ministers meet on {day}.",
    "It is the {ordinal} time this year that {subject} has made headlines.",
    "{surname} has faced questions before over the handling of similar episodes.",
    "A review ordered in {month} is due to report its conclusions by the end of the year.",
    "Independent observers said the picture remained unclear and that more information was needed.",
    "The decision follows months of discussion behind closed doors.",
    "Campaigners have given a cautious welcome to the announcement but say they will keep up the pressure.",
    "Further updates are expected later this week, when {org} publishes its own assessment.",
    "In {place}, reaction to the news was mixed, with some welcoming the move and others fearing the worst.",
    "Earlier this year {n} people signed a petition calling for action on {subject}.",
    "Neither side has so far shown any sign of backing down.",
    "{expert} said: “{quote2}.”",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May")
ORDINALS = ("second", "third", "fourth", "fifth")


def slugify(text: str) -> str:
    """URL slug the way WordPress makes one: ASCII, lowercase, hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-zA-Z0-9\s-]", "", text).strip().lower()
    return re.sub(r"[\s-]+", "-", text)


def _fill(template: str, slots: dict[str, str], rng: random.Random) -> str:
    values = dict(slots)
    values.update(
        n=f"{rng.randrange(120, 9000):,}",
        m=str(rng.randrange(8, 60)),
        pct=str(rng.randrange(5, 45)),
        day=rng.choice(DAYS),
        month=rng.choice(MONTHS),
        ordinal=rng.choice(ORDINALS),
    )
    return template.format(**values)


def _body(topic: Topic, rng: random.Random, lead: str | None = None) -> list[str]:
    """5 to 12 distinct paragraphs of one to three sentences about ``topic``."""
    section = SECTIONS[topic.section]
    expert, expert_role = rng.choice(section.experts)
    quotes = list(section.quotes)
    rng.shuffle(quotes)
    slots = {
        "subject": topic.subject,
        "Subject": topic.subject[0].upper() + topic.subject[1:],
        "place": topic.place,
        "actor": topic.actor,
        "surname": topic.actor.split()[-1],
        "role": topic.role,
        "org": topic.org,
        "expert": expert,
        "expert_role": expert_role,
        "quote": quotes[0],
        "quote2": quotes[1],
    }
    pool = [t for t in GENERIC if "{quote}" not in t]
    rng.shuffle(pool)
    quote_templates = [t for t in GENERIC if "{quote}" in t]
    pool.insert(rng.randrange(1, 4), rng.choice(quote_templates))
    at = rng.randrange(4, 8)
    pool[at:at] = rng.sample(section.background, 3)
    count = rng.randrange(5, 13)
    paragraphs = [lead or _fill(rng.choice(LEADS), slots, rng)]
    while len(paragraphs) < count and pool:
        take = min(len(pool), rng.choice((1, 1, 2, 2, 3)))
        sentences = [_fill(pool.pop(0), slots, rng) for _ in range(take)]
        paragraphs.append(" ".join(sentences))
    return paragraphs


def _iso_zone(moment: dt.datetime, use_z: bool) -> dt.datetime:
    return moment.astimezone(dt.timezone.utc if use_z else dt.timezone(dt.timedelta(hours=1)))


@functools.lru_cache(maxsize=1)
def _seed_data() -> dict:
    text = resources.files("archiver.demo").joinpath("data/seed.json").read_text(encoding="utf-8")
    return json.loads(text)


def catalogue() -> list[ArticleContent]:
    """Every article of the outlet, oldest first. Same result on every call."""
    rng = random.Random(SEED)
    seed = _seed_data()
    articles: list[ArticleContent] = []
    start = dt.datetime(2024, 6, 3, 7, 0, tzinfo=dt.timezone.utc)
    for i, topic in enumerate(TOPICS):
        published = _iso_zone(
            start + dt.timedelta(hours=17 * i, minutes=rng.randrange(0, 50)), rng.random() < 0.4
        )
        modified = (
            published if rng.random() < 0.5 else published + dt.timedelta(minutes=rng.randrange(20, 1800))
        )
        paragraphs = _body(topic, rng)
        authors = [AUTHORS[SECTION_AUTHORS[topic.section][i % 2]].name]
        if i % 5 == 0:
            authors.append(AUTHORS[SECTION_AUTHORS[topic.section][(i + 1) % 2]].name)
        articles.append(
            ArticleContent(
                section=topic.section,
                title=topic.title,
                slug=slugify(topic.title),
                published=published,
                modified=modified,
                authors=authors,
                description=paragraphs[0].split(". ")[0].rstrip(".") + ".",
                tags=list(topic.tags),
                paragraphs=paragraphs,
                promos=[],
                related=[],
            )
        )
    for comp in seed["companions"]:
        published = dt.datetime.fromisoformat(comp["published"].replace("Z", "+00:00"))
        topic = Topic(section=comp["section"], title=comp["title"], tags=tuple(comp["tags"]), **comp["topic"])
        paragraphs = _body(topic, rng, lead=comp["lead"])
        articles.append(
            ArticleContent(
                section=comp["section"],
                title=comp["title"],
                slug=comp["slug"],
                published=published,
                modified=published,
                authors=list(comp["authors"]),
                description=comp["lead"].split(", ")[0] + ".",
                tags=list(comp["tags"]),
                paragraphs=paragraphs,
                promos=[],
                related=[],
            )
        )
    articles.append(
        ArticleContent(
            section=seed["section"],
            title=seed["title"],
            slug=seed["slug"],
            published=dt.datetime.fromisoformat(seed["published"]),
            modified=dt.datetime.fromisoformat(seed["modified"]),
            authors=list(seed["authors"]),
            description=seed["description"],
            tags=list(seed["tags"]),
            paragraphs=list(seed["paragraphs"]),
            promos=[(p["after_paragraph"], p["slug"]) for p in seed["promos"]],
            related=list(seed["related"]),
            is_seed=True,
        )
    )
    articles.sort(key=lambda a: (a.published, a.slug))
    _link_promos_and_related(articles, rng)
    return articles


def _link_promos_and_related(articles: list[ArticleContent], rng: random.Random) -> None:
    """Give every generated article READ MORE promos and 'More like this' teasers."""
    by_section: dict[str, list[ArticleContent]] = {}
    for article in articles:
        by_section.setdefault(article.section, []).append(article)
    for article in articles:
        if article.is_seed:
            continue
        same = [a.slug for a in by_section[article.section] if a.slug != article.slug]
        other = [a.slug for a in articles if a.section != article.section]
        article.related = rng.sample(same, 3)
        n = len(article.paragraphs)
        spots = sorted(rng.sample(range(2, n), min(2 if n >= 8 else 1, n - 2)))
        picks = rng.sample(same, 1) + rng.sample(other, 1)
        article.promos = list(zip(spots, picks))
