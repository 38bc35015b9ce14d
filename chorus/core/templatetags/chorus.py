from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """Return the current query string with the page number replaced."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()
