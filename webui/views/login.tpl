% rebase('layout.tpl')
<section class="card narrow">
  <h1>{{t('Log in')}}</h1>
  % if error:
  <p class="error" role="alert">{{t(error)}}</p>
  % end
  <form method="post" action="/login{{'?next=' + quote(next_url) if next_url else ''}}">
    <input type="hidden" name="csrf" value="{{login_csrf}}">
    <label>{{t('User name')}} <input name="username" value="{{username}}" autocomplete="username" autocapitalize="none" required maxlength="64"></label>
    <label>{{t('Password')}} <input name="password" type="password" autocomplete="current-password" required maxlength="256"></label>
    <button type="submit" class="primary">{{t('Log in')}}</button>
  </form>
</section>
% if get('setup'):
<p class="meta narrow">{{t('No owner yet:')}} <a href="/setup">{{t('set up this Loket')}}</a>.</p>
% end
