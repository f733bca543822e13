% rebase('layout.tpl')
% names = {'tags': t('Tags'), 'tags_mode': t('Tags match'), 'visited_within_days': t('Visited within (days)'), 'not_visited_for_days': t('Not visited for (days)'), 'min_points': t('Minimum points'), 'service': t('Used service'), 'language': t('Language')}
% def rule(key, value):
%   shown = ', '.join(value) if isinstance(value, list) else t({'any': 'any', 'all': 'all'}.get(value, value)) if isinstance(value, str) else number(value)
%   return names.get(key, key) + ': ' + shown
% end
<p class="back"><a href="/campaigns">&larr; {{t('Campaigns')}}</a></p>
<h1>{{c.name}}</h1>
<p class="meta">{{label(c.kind)}} · {{label(c.status)}}{{' · ' + when(c.send_at) if c.send_at else ''}} · {{'; '.join(rule(k, v) for k, v in segment.items()) or t('everyone')}}</p>
<blockquote class="msg out">{{c.text}}</blockquote>
<section class="card" id="progress" data-progress="/campaigns/{{c.id}}/progress">
  <h2>{{t('Progress')}}</h2>
  <progress max="100" value="{{progress['done_percent']}}">{{progress['done_percent']}} %</progress>
  <p class="meta"><span data-field="done_percent">{{progress['done_percent']}}</span> % ·
    {{t('total')}} <span data-field="total">{{progress['total']}}</span> ·
    {{t('sent')}} <span data-field="sent">{{progress['sent']}}</span> ·
    {{t('delivered')}} <span data-field="delivered">{{progress['delivered']}}</span> ·
    {{t('waiting')}} <span data-field="waiting">{{progress['waiting']}}</span> ·
    {{t('failed')}} <span data-field="failed">{{progress['failed']}}</span></p>
</section>
% if c.status not in ('done', 'cancelled') and user.role in ('owner', 'admin', 'frontdesk'):
<form method="post" action="/campaigns/{{c.id}}/cancel">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <button type="submit">{{t('Cancel')}}</button>
</form>
% end
