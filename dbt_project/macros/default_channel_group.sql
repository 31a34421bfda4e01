{#
  GA4's default channel group of a session from its source, medium and campaign: Google's
  published rules for manual (non Google Ads) traffic, "[GA4] Default channel group",
  https://support.google.com/analytics/answer/9756891. The rules are tried in Google's
  order and the first that matches wins; a session no rule matches is 'Unassigned'.

    1 Direct                     source = (direct) and medium in ((none), (not set))
    2 Cross-network              campaign contains cross-network
    3 Paid Shopping              (shopping site or shopping campaign) and paid medium
    4 Paid Search                search site and paid medium
    5 Paid Social                social site and paid medium
    6 Paid Video                 video site and paid medium
    7 Display                    medium in (display, banner, expandable, interstitial, cpm)
    8 Paid Other                 paid medium
    9 Organic Shopping           shopping site or shopping campaign
   10 Organic Social             social site or medium in (social, social-network,
                                 social-media, sm, social network, social media)
   11 Organic Video              video site or medium contains video
   12 Organic Search             search site or medium = organic
   13 Referral                   medium in (referral, app, link)
   14 Email                      source or medium in (email, e-mail, e_mail, e mail)
   15 Affiliates                 medium = affiliate
   16 Audio                      medium = audio
   17 SMS                        source = sms or medium = sms
   18 Mobile Push Notifications  medium ends with push, or contains mobile or notification,
                                 or source = firebase

  "Paid medium" is Google's ^(.*cp.*|ppc|retargeting|paid.*)$, "shopping campaign" its
  ^(.*(([^a-df-z]|^)shop|shopping).*)$. Google's site lists are a spreadsheet of hostnames
  (linked from the article); the patterns below hold the major ones, each with optional
  www./m. prefixes and any domain suffix: extend them here, in one place.

  Values are compared lower-cased and trimmed. As in the GA4 export, a session without any
  source is direct: a NULL source is (direct) and then a NULL medium (none); a NULL medium
  with a source is (not set). A Google Ads click (gclid) without a manual source counts as
  google / cpc. The result is one of the feature spec's channel values.
#}

{% macro ga4_site_patterns() %}
  {{ return({
      'search': '(www\\.|m\\.|search\\.)?(google|bing|yahoo|baidu|yandex|duckduckgo|ecosia|ask|aol|naver|seznam|qwant|startpage|sogou|so|brave)(\\.[a-z.]+)?',
      'social': '(www\\.|m\\.|l\\.|lm\\.)?(facebook|fb|instagram|ig|linkedin|lnkd\\.in|twitter|t\\.co|x|pinterest|reddit|tiktok|snapchat|quora|tumblr|vk|whatsapp|telegram|threads|discord|messenger|meta)(\\.[a-z.]+)?',
      'video': '(www\\.|m\\.)?(youtube|youtu\\.be|vimeo|twitch|dailymotion|wistia)(\\.[a-z.]+)?',
      'shopping': '(www\\.)?(amazon|ebay|etsy|shopify|walmart|mercadolivre|mercadolibre|shopping\\.google|google shopping|igshopping|alibaba|aliexpress)(\\.[a-z.]+)?',
      'paid_medium': '.*cp.*|ppc|retargeting|paid.*',
      'shopping_campaign': '.*(([^a-df-z]|^)shop|shopping).*',
  }) }}
{% endmacro %}

{% macro default_channel_group(source, medium, campaign, gclid='null') -%}
  {%- set p = ga4_site_patterns() -%}
  {%- set has_source = "nullif(trim(" ~ source ~ "), '') is not null" -%}
  {%- set s -%}
    coalesce(lower(nullif(trim({{ source }}), '')),
             case when {{ gclid }} is not null then 'google' end, '(direct)')
  {%- endset -%}
  {%- set m -%}
    coalesce(lower(nullif(trim({{ medium }}), '')),
             case when {{ has_source }} then '(not set)'
                  when {{ gclid }} is not null then 'cpc' else '(none)' end)
  {%- endset -%}
  {%- set c = "coalesce(lower(trim(" ~ campaign ~ ")), '')" -%}
  {%- set paid = regex_full_match(m, p['paid_medium']) -%}
  {%- set search_site = regex_full_match(s, p['search']) -%}
  {%- set social_site = regex_full_match(s, p['social']) -%}
  {%- set video_site = regex_full_match(s, p['video']) -%}
  {%- set shopping = '(' ~ regex_full_match(s, p['shopping']) ~ ' or '
                     ~ regex_full_match(c, p['shopping_campaign']) ~ ')' -%}
  case
    when {{ s }} = '(direct)' and {{ m }} in ('(none)', '(not set)') then 'Direct'
    when {{ c }} like '%cross-network%' then 'Cross-network'
    when {{ shopping }} and {{ paid }} then 'Paid Shopping'
    when {{ search_site }} and {{ paid }} then 'Paid Search'
    when {{ social_site }} and {{ paid }} then 'Paid Social'
    when {{ video_site }} and {{ paid }} then 'Paid Video'
    when {{ m }} in ('display', 'banner', 'expandable', 'interstitial', 'cpm') then 'Display'
    when {{ paid }} then 'Paid Other'
    when {{ shopping }} then 'Organic Shopping'
    when {{ social_site }}
      or {{ m }} in ('social', 'social-network', 'social-media', 'sm', 'social network', 'social media')
      then 'Organic Social'
    when {{ video_site }} or {{ m }} like '%video%' then 'Organic Video'
    when {{ search_site }} or {{ m }} = 'organic' then 'Organic Search'
    when {{ m }} in ('referral', 'app', 'link') then 'Referral'
    when {{ s }} in ('email', 'e-mail', 'e_mail', 'e mail')
      or {{ m }} in ('email', 'e-mail', 'e_mail', 'e mail') then 'Email'
    when {{ m }} = 'affiliate' then 'Affiliates'
    when {{ m }} = 'audio' then 'Audio'
    when {{ s }} = 'sms' or {{ m }} = 'sms' then 'SMS'
    when {{ m }} like '%push' or {{ m }} like '%mobile%' or {{ m }} like '%notification%'
      or {{ s }} = 'firebase' then 'Mobile Push Notifications'
    else 'Unassigned'
  end
{%- endmacro %}
