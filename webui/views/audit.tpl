% rebase('layout.tpl')
<p class="back"><a href="/settings">&larr; {{t('Settings')}}</a></p>
<h1>{{t('Audit log')}}</h1>
<table><thead><tr><th>{{t('When')}}</th><th>{{t('Who')}}</th><th>{{t('What')}}</th><th></th><th></th></tr></thead><tbody>
% for a in rows:
<tr><td>{{when(a.at)}}</td><td>{{a.user.username if a.user_id else 'Loket'}}</td><td>{{action(a.action)}}</td><td>{{a.target}}</td><td>{{a.detail}}</td></tr>
% end
</tbody></table>
<nav class="pages">
  % if page > 1:
  <a href="/settings/audit?page={{page - 1}}">{{t('Newer')}}</a>
  % end
  % if more:
  <a href="/settings/audit?page={{page + 1}}">{{t('Older')}}</a>
  % end
</nav>
