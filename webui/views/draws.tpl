% rebase('layout.tpl')
<h1>{{t('Draws')}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
<ul class="conversations">
% for d in rows:
  <li><a href="/draws/{{d.id}}"><span class="who">{{d.name}}</span><span class="when">{{label(d.status)}}</span>
    <span class="snippet">{{days(d)}}</span></a></li>
% end
</ul>
% if user.role in ('owner', 'admin'):
<details class="card" {{'open' if error else ''}}>
  <summary>{{t('New draw')}}</summary>
  <form method="post" action="/draws">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <label>{{t('Name')}} <input name="name" required maxlength="200"></label>
    <label>{{t('From')}} <input type="date" name="start" required></label>
    <label>{{t('To')}} <input type="date" name="end" required></label>
    <label>{{t('Minimum points earned in the period')}} <input name="min_points" value="0" inputmode="numeric"></label>
    <label>{{t('Entries')}} <select name="weighting"><option value="one">{{t('one per customer')}}</option><option value="points">{{t('weighted by points')}}</option></select></label>
    <label>{{t('Prizes')}} ({{t('one per line, first prize first')}}) <textarea name="prizes" rows="3" required></textarea></label>
    <button type="submit" class="primary">{{t('Save')}}</button>
  </form>
</details>
% end
