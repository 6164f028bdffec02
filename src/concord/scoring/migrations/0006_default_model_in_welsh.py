"""The default model ships Welsh: its description, guidance and labels in Welsh, copied into
every version of it (named "MoRiLE-style") where the English is the default's and no Welsh is set.
A frozen copy of scoring.defaults.WELSH and DESCRIPTION_CY (migrations import no live code)."""

from django.db import migrations

NAME = "MoRiLE-style"
DESCRIPTION_START = "The default MoRiLE-style model shipped with Concord (version 1)."
DESCRIPTION_CY = (
    "Y model arddull MoRiLE diofyn a ddaw gyda Concord (fersiwn 1).\n\nNid yw "
    "graddfeydd cenedlaethol OCGM a MoRiLE yn gyhoeddus. Mae gan y model hwn eu siâp "
    "cyhoeddedig (niwed o bedwar math, cwmpas daearyddol, bregusrwydd dioddefwyr, "
    "tebygolrwydd ar ffon fesur PHIA, hyder ar wahân, a safle'r sefydliad o ran "
    "gallu, capasiti a chyfle) gyda gwerthoedd dogfenedig Concord ei hun. Mae "
    "heddluoedd yn ei ddisodli drwy gyhoeddi fersiwn newydd."
)
WELSH = {
    "None": "Dim",
    "No harm of this kind.": "Dim niwed o'r math hwn.",
    "Minor": "Bach",
    "Limited, short-lived harm to few people.": "Niwed cyfyngedig a byrhoedlog i ychydig o bobl.",
    "Moderate": "Cymedrol",
    "Real harm to some people or a community.": "Niwed gwirioneddol i rai pobl neu i gymuned.",
    "Substantial": "Sylweddol",
    "Serious harm, or harm to many.": "Niwed difrifol, neu niwed i lawer.",
    "Severe": "Difrifol iawn",
    "Life-changing or widespread harm, or loss of life.": "Niwed sy'n newid bywydau neu niwed "
    "eang, neu golli bywyd.",
    "Violence, exploitation, injury or death caused by the group's activity.": "Trais, "
    "camfanteisio, "
    "anaf neu "
    "farwolaeth a "
    "achosir gan "
    "weithgarwch y "
    "grŵp.",
    "Fear, trauma and coercion experienced by victims and witnesses.": "Ofn, trawma a gorfodaeth "
    "a brofir gan ddioddefwyr "
    "a thystion.",
    "Losses to individuals, businesses and the public purse.": "Colledion i unigolion, i fusnesau "
    "ac i'r pwrs cyhoeddus.",
    "Damage to neighbourhoods, confidence in policing and the environment.": "Difrod i "
    "gymdogaethau, i "
    "hyder mewn plismona "
    "ac i'r amgylchedd.",
    "How far the group's activity reaches.": "Pa mor bell y mae gweithgarwch y grŵp yn cyrraedd.",
    "Local": "Lleol",
    "One neighbourhood or town.": "Un gymdogaeth neu dref.",
    "Force-wide": "Ar draws yr heddlu",
    "Across one force.": "Ar draws un heddlu.",
    "Regional": "Rhanbarthol",
    "Across forces in a region.": "Ar draws heddluoedd mewn rhanbarth.",
    "National": "Cenedlaethol",
    "Across regions.": "Ar draws rhanbarthau.",
    "International": "Rhyngwladol",
    "Across borders.": "Dros ffiniau.",
    "How vulnerable the victims are (children, exploited adults, the isolated).": "Pa mor fregus "
    "yw'r "
    "dioddefwyr "
    "(plant, "
    "oedolion y "
    "camfanteisir "
    "arnynt, pobl "
    "ynysig).",
    "Not vulnerable": "Ddim yn fregus",
    "Some vulnerability": "Rhywfaint o fregusrwydd",
    "Vulnerable": "Bregus",
    "Highly vulnerable": "Bregus iawn",
    "Children, trafficked or exploited people.": "Plant, a phobl a fasnachwyd neu y "
    "camfanteisiwyd arnynt.",
    "How likely the harm is in the next 12 months (the PHIA probability yardstick).": "Pa mor "
    "debygol "
    "yw'r niwed "
    "yn ystod y "
    "12 mis "
    "nesaf "
    "(ffon "
    "fesur "
    "tebygolrwydd "
    "PHIA).",
    "Remote chance (0-5%)": "Siawns fach iawn (0-5%)",
    "Highly unlikely (10-20%)": "Annhebygol iawn (10-20%)",
    "Unlikely (25-35%)": "Annhebygol (25-35%)",
    "Realistic possibility (40-50%)": "Posibilrwydd realistig (40-50%)",
    "Likely (55-75%)": "Tebygol (55-75%)",
    "Highly likely (80-90%)": "Tebygol iawn (80-90%)",
    "Almost certain (95-100%)": "Bron yn sicr (95-100%)",
    "Confidence in the intelligence behind this assessment.": "Hyder yn y wybodaeth sydd y tu ôl "
    "i'r asesiad hwn.",
    "Low": "Isel",
    "Single or untested sources.": "Un ffynhonnell, neu ffynonellau heb eu profi.",
    "Medium": "Canolig",
    "Some corroboration.": "Rhywfaint o gadarnhad.",
    "High": "Uchel",
    "Well corroborated.": "Wedi'i gadarnhau'n dda.",
    "Do we have the specialist capability this response needs?": "Oes gennym y gallu arbenigol "
    "sydd ei angen ar yr ymateb hwn?",
    "Do we have the people and time?": "Oes gennym y bobl a'r amser?",
    "Is there a realistic opportunity to disrupt now?": "Oes cyfle realistig i darfu nawr?",
    "Limited": "Cyfyngedig",
    "Adequate": "Digonol",
    "Full": "Llawn",
    "Good": "Da",
    "Excellent": "Rhagorol",
}


def welsh(apps, schema_editor):
    ScoringModel = apps.get_model("scoring", "ScoringModel")
    Dimension = apps.get_model("scoring", "Dimension")
    ScaleLevel = apps.get_model("scoring", "ScaleLevel")
    ScoringModel.objects.filter(
        name=NAME, description__startswith=DESCRIPTION_START, description_cy=""
    ).update(description_cy=DESCRIPTION_CY)
    for dimension in Dimension.objects.filter(model__name=NAME, guidance_cy=""):
        if dimension.guidance in WELSH:
            dimension.guidance_cy = WELSH[dimension.guidance]
            dimension.save(update_fields=["guidance_cy"])
    for level in ScaleLevel.objects.filter(dimension__model__name=NAME):
        changed = []
        if not level.label_cy and level.label in WELSH:
            level.label_cy = WELSH[level.label]
            changed.append("label_cy")
        if not level.guidance_cy and level.guidance in WELSH:
            level.guidance_cy = WELSH[level.guidance]
            changed.append("guidance_cy")
        if changed:
            level.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0005_welsh_guidance")]

    operations = [migrations.RunPython(welsh, migrations.RunPython.noop)]
