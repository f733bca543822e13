% rebase('layout.tpl')
<h1>{{t('Campaigns')}}</h1>
% if user.role in ('owner', 'admin', 'frontdesk'):
<p><a class="button" href="/campaigns/new">{{t('New campaign')}}</a></p>
% end
% if not rows:
<p class="empty">{{t('No campaigns yet.')}}</p>
% end
<ul class="conversations">
% for c in rows:
  <li><a href="/campaigns/{{c.id}}">
    <span class="who">{{c.name}}</span><span class="when">{{label(c.status)}}</span>
    <span class="snippet">{{label(c.kind)}} · {{t('{n} recipients').format(n=number(progress[c.id]['total']))}} · {{progress[c.id]['done_percent']}} %</span></a></li>
% end
</ul>
<nav class="pages">
  % if page > 1:
  <a href="/campaigns?page={{page - 1}}">{{t('Newer')}}</a>
  % end
  % if more:
  <a href="/campaigns?page={{page + 1}}">{{t('Older')}}</a>
  % end
</nav>
