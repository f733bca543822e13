% rebase('layout.tpl')
<h1>{{t('My login')}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
<dl class="facts card">
  <dt>{{t('User name')}}</dt><dd>{{user.username}}</dd>
  <dt>{{t('Role')}}</dt><dd>{{label(user.role)}}</dd>
</dl>
<form method="post" action="/me/password" class="card">
  <h2>{{t('Change my password')}}</h2>
  <input type="hidden" name="csrf" value="{{csrf}}">
  <input type="text" name="username" value="{{user.username}}" autocomplete="username" hidden>
  <label>{{t('Current password')}} <input type="password" name="current" required maxlength="256" autocomplete="current-password"></label>
  <label>{{t('New password (at least 10 characters)')}} <input type="password" name="new" required minlength="10" maxlength="256" autocomplete="new-password"></label>
  <label>{{t('New password again')}} <input type="password" name="new2" required minlength="10" maxlength="256" autocomplete="new-password"></label>
  <div class="buttons"><button type="submit" class="primary">{{t('Change password')}}</button></div>
</form>
<form method="post" action="/me/phone" class="card">
  <h2>{{t('My phone')}}</h2>
  <input type="hidden" name="csrf" value="{{csrf}}">
  <label>{{t('Phone')}} ({{t('technicians get and answer tickets by SMS')}}) <input name="phone" value="{{typed.get('phone', phone_number(user.phone) if user.phone else '')}}" maxlength="40" inputmode="tel" placeholder="0812-3456-7890"></label>
  <div class="buttons"><button type="submit">{{t('Save')}}</button></div>
</form>
