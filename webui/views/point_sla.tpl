% if p.response_minutes or p.resolution_minutes:
{{t('answer {response}, fix {resolution}').format(response=(t('{n} h').format(n=p.response_minutes // 60) if p.response_minutes else t("the category's")), resolution=(t('{n} h').format(n=p.resolution_minutes // 60) if p.resolution_minutes else t("the category's")))}}
% else:
{{t("each ticket's category's times")}}
% end
