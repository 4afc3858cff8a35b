from django.contrib import admin

from crossings.stats.models import Figure, Publication, Series


class FigureInline(admin.TabularInline):
    model = Figure
    extra = 0
    fields = (
        "measure",
        "country",
        "year",
        "year_kind",
        "breakdown",
        "value",
        "status",
        "original",
        "location",
    )
    readonly_fields = fields
    can_delete = False
    show_change_link = False


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ("title", "publisher", "published_label", "series", "kind", "layout", "imported_at")
    list_filter = ("series", "kind")
    search_fields = ("title", "publisher", "url")
    readonly_fields = ("fingerprint", "layout", "imported_at", "imported_by")


@admin.register(Figure)
class FigureAdmin(admin.ModelAdmin):
    list_display = ("measure", "country", "year", "breakdown", "value", "status", "publication")
    list_filter = ("measure", "breakdown", "status", "year_kind")
    search_fields = ("country",)
    list_select_related = ("publication",)


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "publisher", "kind", "rank")
    readonly_fields = ("slug",)
